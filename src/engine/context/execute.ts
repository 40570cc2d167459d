/**
 * Runs a prepared batch on an activity: exec, per-command and per-batch deadlines on the
 * scheduler, streamed output, and the data of downloads.
 *
 * @module
 */
import {
  EMPTY,
  Observable,
  type SchedulerLike,
  type Subscription,
  concatMap,
  defer,
  from,
  ignoreElements,
  map,
  mergeMap,
  of,
  take,
  throwError,
  timeout,
} from 'rxjs';
import type {
  ExeScriptCommandDto,
  ExeScriptCommandResultDto,
  RuntimeEventDto,
} from '../../api/types/index.js';
import { BatchTimeoutError } from '../errors/BatchTimeoutError.js';
import { alongside } from '../../rx/alongside.js';
import { StorageError } from '../../errors/StorageError.js';
import { type CommandResult, type PreparedBatch, textOf } from './script.js';

/** The part of a batch resource the work context uses. */
export interface BatchLike {
  readonly id: string;
  readonly results$: Observable<ExeScriptCommandResultDto>;
  readonly runtime$: Observable<RuntimeEventDto>;
}

/** The part of an activity resource the work context uses. */
export interface ActivityLike {
  readonly id: string;
  exec(script: readonly ExeScriptCommandDto[]): Observable<BatchLike>;
  destroy(): Observable<void>;
}

/** One chunk of streamed output. */
export interface OutputChunk {
  /** The command's index in the commit. */
  readonly index: number;
  /** Which stream. */
  readonly stream: 'stdout' | 'stderr';
  /** The text. */
  readonly text: string;
}

/** How long a download's data may lag behind its successful transfer command, in ms. */
const DOWNLOAD_GRACE_MS = 10_000;

/** Errors with `error()` after `ms` on `scheduler` unless `source` ends first. */
function deadline<T>(
  source: Observable<T>,
  ms: number | undefined,
  error: () => Error,
  scheduler: SchedulerLike,
): Observable<T> {
  if (ms === undefined) return source;
  return new Observable<T>((subscriber) => {
    subscriber.add(scheduler.schedule(() => subscriber.error(error()), ms));
    subscriber.add(source.subscribe(subscriber));
  });
}

/** Arms each command's timeout when the command before it finishes. */
function perCommand(
  results$: Observable<ExeScriptCommandResultDto>,
  batch: PreparedBatch,
  ids: { activityId: string; batchId: string },
  scheduler: SchedulerLike,
): Observable<ExeScriptCommandResultDto> {
  if (batch.timeouts.every((t) => t === undefined)) return results$;
  return new Observable<ExeScriptCommandResultDto>((subscriber) => {
    let timer: Subscription | undefined;
    const arm = (scriptIndex: number): void => {
      timer?.unsubscribe();
      const timeoutMs = batch.timeouts[scriptIndex];
      if (timeoutMs === undefined) return;
      const commandIndex = scriptIndex - batch.offset;
      timer = scheduler.schedule(
        () => subscriber.error(new BatchTimeoutError({ ...ids, commandIndex, timeoutMs })),
        timeoutMs,
      );
    };
    subscriber.add(() => timer?.unsubscribe());
    arm(0);
    subscriber.add(
      results$.subscribe({
        next: (result) => {
          arm(result.index + 1);
          subscriber.next(result);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    );
  });
}

function chunksOf(event: RuntimeEventDto, offset: number): OutputChunk[] {
  const index = event.index - offset;
  if (index < 0) return [];
  const { kind } = event;
  if ('stdout' in kind) return [{ index, stream: 'stdout', text: textOf(kind.stdout) ?? '' }];
  if ('stderr' in kind) return [{ index, stream: 'stderr', text: textOf(kind.stderr) ?? '' }];
  return [];
}

function withDownload(
  result: CommandResult,
  batch: PreparedBatch,
  scheduler: SchedulerLike,
): Observable<CommandResult> {
  const incoming = batch.incoming.get(result.index);
  if (incoming === undefined) return of(result);
  return from(incoming.received as Promise<Uint8Array | undefined>).pipe(
    timeout({
      first: DOWNLOAD_GRACE_MS,
      scheduler,
      with: () =>
        throwError(
          () =>
            new StorageError({
              operation: 'receive',
              message: `the download of command ${result.index} never arrived`,
            }),
        ),
    }),
    map((bytes) => (bytes instanceof Uint8Array ? { ...result, bytes } : result)),
  );
}

/**
 * Runs `batch` on `activity`: emits each user command's result as it finishes (downloads once
 * their data arrived) and completes; streams output chunks to `output`. Errors with `BatchError`
 * (a command failed), `BatchTimeoutError`, `StorageError`, or the client's errors. Unsubscribing
 * stops following the batch (it does not stop the batch on the provider).
 */
export function runBatch(
  activity: ActivityLike,
  batch: PreparedBatch,
  options: { scheduler: SchedulerLike; timeout: number | undefined; output: (chunk: OutputChunk) => void },
): Observable<CommandResult> {
  const { scheduler } = options;
  let batchId: string | undefined;
  const run$ = defer(() => activity.exec(batch.script)).pipe(
    take(1),
    concatMap((running) => {
      batchId = running.id;
      const ids = { activityId: activity.id, batchId: running.id };
      const stream$ = batch.streams
        ? running.runtime$.pipe(
            mergeMap((event) => chunksOf(event, batch.offset)),
            map((chunk) => options.output(chunk)),
            ignoreElements(),
          )
        : EMPTY;
      const results$ = perCommand(running.results$, batch, ids, scheduler).pipe(
        mergeMap((r) => (r.index < batch.offset ? EMPTY : of(r))),
        map((r): CommandResult => ({
          index: r.index - batch.offset,
          command: batch.commands[r.index - batch.offset]!.kind,
          stdout: textOf(r.stdout),
          stderr: textOf(r.stderr),
          message: r.message ?? undefined,
        })),
        // A download's data arrives before its transfer command ends.
        concatMap((r) => withDownload(r, batch, scheduler)),
      );
      return alongside(results$, stream$);
    }),
  );
  return deadline(
    run$,
    options.timeout,
    () => new BatchTimeoutError({ activityId: activity.id, batchId, timeoutMs: options.timeout ?? 0 }),
    scheduler,
  );
}
