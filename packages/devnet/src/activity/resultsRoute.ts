/**
 * `GET /activity-api/v1/activity/{activityId}/exec/{batchId}`: batch results by polling (A3,
 * cumulative; `timeout` defaults to 0 as in Real yagna; 408 only when `commandIndex` was given)
 * or, with `Accept: text/event-stream`, as the RuntimeEvent stream (A4).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Observable, SchedulerLike } from 'rxjs';
import type { ExeScriptCommandResultDto } from 'golem-rx';
import { DevnetHttpError } from '../errors/DevnetHttpError.js';
import { isBatchNotFoundError } from '../exeunit/index.js';
import type { ExeScriptCommandResult, ExeUnit } from '../exeunit/index.js';
import { queryParam, timeoutMs } from '../http.js';
import { answerDropped } from '../longPoll.js';
import { intParam, route, sendJson } from './common/http.js';
import type { ActivityRegistry } from './registry.js';
import { streamEvents, wantsEventStream } from './sse.js';

type WithIds = FastifyRequest<{ Params: { activityId: string; batchId: string } }>;

/** What the results route needs besides the registry. */
export interface ResultsRouteDeps {
  readonly scheduler: SchedulerLike;
  /** Emits on devnet restart and module close: pending polls and streams are dropped. */
  readonly drop$: Observable<unknown>;
  /** Interval of SSE `:ping` comments, ms. */
  readonly pingMs?: number;
}

function toDto(r: ExeScriptCommandResult): ExeScriptCommandResultDto {
  return { ...r, stdout: r.stdout === null || typeof r.stdout === 'string' ? r.stdout : [...r.stdout] };
}

/**
 * Waits on the exe-unit with an AbortSignal that fires when the client leaves or the server
 * drops the request (then the socket is destroyed). `undefined` when the request is gone.
 */
async function waitOrGone(
  unit: ExeUnit,
  reply: FastifyReply,
  drop$: Observable<unknown>,
  args: { batchId: string; commandIndex: number | undefined; timeoutMs: number },
): Promise<{ results: ExeScriptCommandResult[]; timedOut: boolean } | undefined> {
  const controller = new AbortController();
  const onClose = (): void => controller.abort(new Error('client closed the request'));
  reply.raw.once('close', onClose);
  const dropped = drop$.subscribe(() => {
    controller.abort(new Error('dropped by devnet'));
    reply.raw.destroy();
  });
  try {
    return await unit.waitForResults(args.batchId, args.commandIndex, args.timeoutMs, controller.signal);
  } catch (err) {
    if (controller.signal.aborted) return undefined;
    throw err;
  } finally {
    reply.raw.off('close', onClose);
    dropped.unsubscribe();
  }
}

/** Registers the batch-results route. */
export function registerResultsRoute(
  app: FastifyInstance,
  registry: ActivityRegistry,
  deps: ResultsRouteDeps,
): void {
  app.get(
    '/activity-api/v1/activity/:activityId/exec/:batchId',
    route(async (request: WithIds, reply) => {
      const { unit } = registry.get(request.params.activityId);
      const { batchId } = request.params;
      try {
        if (wantsEventStream(request.headers.accept)) {
          unit.results(batchId); // 404 before the stream starts
          streamEvents(reply, {
            scheduler: deps.scheduler,
            events$: unit.events$(batchId),
            drop$: deps.drop$,
            pingMs: deps.pingMs,
          });
          return;
        }
        const commandIndex = intParam(queryParam(request, 'commandIndex'), 'commandIndex');
        const outcome = await waitOrGone(unit, reply, deps.drop$, {
          batchId,
          commandIndex,
          timeoutMs: timeoutMs(request, 0),
        });
        if (outcome === undefined) {
          answerDropped(reply);
          return;
        }
        if (outcome.timedOut && commandIndex !== undefined) throw new DevnetHttpError(408, 'Timeout');
        sendJson(reply, 200, outcome.results.map(toDto));
      } catch (err) {
        if (isBatchNotFoundError(err)) throw new DevnetHttpError(404, err.message);
        throw err;
      }
    }),
  );
}
