/**
 * Activity API (`/activity-api/v1`), requestor side: A1–A10 (REQUESTOR-GUIDE §4).
 */
import { YagnaProtocolError } from './errors/YagnaProtocolError.js';
import type { CallOptions, OpenStream, YagnaHttp, YagnaRequest } from './http.js';
import { asArray, asObject, asString, endpointOf, toSeconds } from './parse.js';
import { readServerSentEvents, toRuntimeEvent } from './sse.js';
import type {
  ActivityStateDto,
  ActivityUsageDto,
  CreateActivityRequestDto,
  CreateActivityResultDto,
  ExeScriptCommandDto,
  ExeScriptCommandResultDto,
  ExeScriptCommandStateDto,
  ExeScriptRequestDto,
  RuntimeEventDto,
} from './types/index.js';

/** Query of {@link ActivityApi.getExecBatchResults}. */
export interface BatchResultsParams {
  /** Wait until the command with this index finished (408 `YagnaTimeoutError` if it did not within `timeout`). */
  commandIndex?: number;
  /** Server-side wait in seconds. Real yagna has no default: without it the call returns at once. */
  timeout?: number;
}

/** The requestor's activity functions. Each takes {@link CallOptions} last (`signal`, `timeoutMs`). */
export interface ActivityApi {
  /**
   * A1 `POST /activity?timeout`: creates an activity on an approved agreement. Accepts an agreement
   * id or the object body; always resolves with the object form (a bare-string answer is wrapped).
   * 408 → `YagnaTimeoutError`. Never retried.
   */
  createActivity(
    agreement: string | CreateActivityRequestDto,
    params?: { timeout?: number },
    options?: CallOptions,
  ): Promise<CreateActivityResultDto>;
  /**
   * A2 `POST /activity/{activityId}/exec`: runs an ExeScript batch; resolves with the batch id.
   * Pass the commands (they are JSON-encoded into `text`) or a ready `{ text }`. Never retried.
   */
  exec(
    activityId: string,
    script: ExeScriptRequestDto | readonly ExeScriptCommandDto[],
    options?: CallOptions,
  ): Promise<string>;
  /**
   * A3 `GET /activity/{activityId}/exec/{batchId}`: the results so far, cumulative from index 0.
   * Not retried (a poll; with `commandIndex` a 408 is an answer, not a failure).
   */
  getExecBatchResults(
    activityId: string,
    batchId: string,
    params?: BatchResultsParams,
    options?: CallOptions,
  ): Promise<ExeScriptCommandResultDto[]>;
  /**
   * A4 the same path with `Accept: text/event-stream`: the batch's RuntimeEvents as they happen
   * (no replay: open it right after `exec`). Lazy: connects on the first `next()`. Ends when the
   * caller's signal aborts, when the consumer stops iterating, or when yagna closes the stream
   * (yagna keeps it open after the batch: stop after the last `finished`). `timeoutMs` bounds only
   * the wait for the response headers. Errors: HTTP errors as for any call, `YagnaNetworkError` if
   * the stream breaks, `YagnaProtocolError` for an unreadable `runtime` event.
   */
  streamBatchResults(
    activityId: string,
    batchId: string,
    options?: CallOptions,
  ): AsyncIterable<RuntimeEventDto>;
  /** A5 `DELETE /activity/{activityId}?timeout`: destroys the activity. Retried (idempotent). */
  destroyActivity(activityId: string, params?: { timeout?: number }, options?: CallOptions): Promise<void>;
  /** A6 `GET /activity/{activityId}/state`: `[current, next | null]`. */
  getActivityState(activityId: string, options?: CallOptions): Promise<ActivityStateDto>;
  /** A7 `GET /activity/{activityId}/usage`: counters in the order of `golem.com.usage.vector`. */
  getActivityUsage(activityId: string, options?: CallOptions): Promise<ActivityUsageDto>;
  /** A8 `GET /activity/{activityId}/agreement`: the agreement id. */
  getActivityAgreement(activityId: string, options?: CallOptions): Promise<string>;
  /** A9 `GET /activity/{activityId}/command`: running commands (404 when none). */
  getRunningCommand(activityId: string, options?: CallOptions): Promise<ExeScriptCommandStateDto[]>;
  /** A10 `GET /activity?agreementId=` (Real only, not in the spec): activity ids of an agreement. */
  listActivities(agreementId: string, options?: CallOptions): Promise<string[]>;
}

/**
 * Builds the activity functions over a transport.
 * @param http the transport (see {@link createYagnaHttp})
 * @returns the activity group of {@link createYagnaApi}
 */
export function createActivityApi(http: YagnaHttp): ActivityApi {
  const get = (path: string, activityId: string): YagnaRequest => ({
    api: 'activity',
    method: 'GET',
    path,
    params: { activityId },
    retry: 'idempotent',
  });

  async function* streamBatchResults(
    activityId: string,
    batchId: string,
    options?: CallOptions,
  ): AsyncGenerator<RuntimeEventDto> {
    const signal = options?.signal;
    const aborted = (): boolean => signal?.aborted === true;
    if (aborted()) return;
    const request: YagnaRequest = {
      api: 'activity',
      method: 'GET',
      path: '/activity/{activityId}/exec/{batchId}',
      params: { activityId, batchId },
      headers: { accept: 'text/event-stream' },
      retry: 'never',
    };
    let stream: OpenStream;
    try {
      stream = await http.open(request, options);
    } catch (err) {
      if (aborted()) return;
      throw err;
    }
    try {
      const body = stream.response.body;
      if (body === null) return;
      for await (const event of readServerSentEvents(body)) {
        if (event.event !== 'runtime') continue;
        const runtimeEvent = toRuntimeEvent(event.data);
        if (runtimeEvent === undefined) {
          throw new YagnaProtocolError(
            `${endpointOf(request)} streamed a runtime event that is not a RuntimeEvent`,
            {
              endpoint: endpointOf(request),
              params: request.params,
            },
          );
        }
        yield runtimeEvent;
      }
    } catch (err) {
      if (aborted()) return;
      throw stream.toError(err);
    } finally {
      stream.close();
    }
  }

  return {
    async createActivity(agreement, params = {}, options) {
      const timeout = toSeconds(params.timeout);
      const request: YagnaRequest = {
        api: 'activity',
        method: 'POST',
        path: '/activity',
        query: { timeout },
        body: typeof agreement === 'string' ? { agreementId: agreement } : agreement,
        retry: 'never',
        serverTimeoutSec: timeout,
      };
      const result = await http.call(request, options);
      if (typeof result === 'string') return { activityId: result };
      const object = asObject<CreateActivityResultDto>(result, request);
      return { ...object, activityId: asString(object.activityId, request) };
    },
    async exec(activityId, script, options) {
      const body: ExeScriptRequestDto = Array.isArray(script)
        ? { text: JSON.stringify(script) }
        : (script as ExeScriptRequestDto);
      const request: YagnaRequest = {
        api: 'activity',
        method: 'POST',
        path: '/activity/{activityId}/exec',
        params: { activityId },
        body,
        retry: 'never',
      };
      return asString(await http.call(request, options), request);
    },
    async getExecBatchResults(activityId, batchId, params = {}, options) {
      const timeout = toSeconds(params.timeout);
      const request: YagnaRequest = {
        api: 'activity',
        method: 'GET',
        path: '/activity/{activityId}/exec/{batchId}',
        params: { activityId, batchId },
        query: { commandIndex: params.commandIndex, timeout },
        retry: 'never',
        serverTimeoutSec: timeout,
      };
      return asArray<ExeScriptCommandResultDto>(await http.call(request, options), request);
    },
    streamBatchResults: (activityId, batchId, options) => streamBatchResults(activityId, batchId, options),
    async destroyActivity(activityId, params = {}, options) {
      const timeout = toSeconds(params.timeout);
      await http.call(
        {
          api: 'activity',
          method: 'DELETE',
          path: '/activity/{activityId}',
          params: { activityId },
          query: { timeout },
          retry: 'idempotent',
          serverTimeoutSec: timeout,
          expect: 'none',
        },
        options,
      );
    },
    async getActivityState(activityId, options) {
      const request = get('/activity/{activityId}/state', activityId);
      return asObject<ActivityStateDto>(await http.call(request, options), request);
    },
    async getActivityUsage(activityId, options) {
      const request = get('/activity/{activityId}/usage', activityId);
      return asObject<ActivityUsageDto>(await http.call(request, options), request);
    },
    async getActivityAgreement(activityId, options) {
      const request = get('/activity/{activityId}/agreement', activityId);
      return asString(await http.call(request, options), request);
    },
    async getRunningCommand(activityId, options) {
      const request = get('/activity/{activityId}/command', activityId);
      return asArray<ExeScriptCommandStateDto>(await http.call(request, options), request);
    },
    async listActivities(agreementId, options) {
      const request: YagnaRequest = {
        api: 'activity',
        method: 'GET',
        path: '/activity',
        query: { agreementId },
        retry: 'idempotent',
      };
      return asArray<string>(await http.call(request, options), request);
    },
  };
}
