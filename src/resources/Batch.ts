import {
  EMPTY,
  type Observable,
  Subject,
  catchError,
  concat,
  concatMap,
  defer,
  from,
  map,
  merge,
  of,
  share,
  takeUntil,
  takeWhile,
  tap,
  throwError,
} from 'rxjs';
import type { ExeScriptCommandDto, ExeScriptCommandResultDto, RuntimeEventDto } from '../api/types/index.js';
import { SourceHealthChanged } from '../bus/events.js';
import { BatchError, type BatchErrorReason } from './errors/BatchError.js';
import { isYagnaTimeoutError } from '../api/errors/YagnaTimeoutError.js';
import { createLongPollSource } from '../sources/longPoll.js';
import { type CallResult, fromCall } from '../rx/fromCall.js';
import type { Activity } from './Activity.js';
import { streamOf } from './internals.js';
import { Resource } from './Resource.js';

/** One command's result (`ExeScriptCommandResult`). */
export type BatchResult = ExeScriptCommandResultDto;

/**
 * One ExeScript batch run on an activity (`activity.exec(script)`). Its parent is the activity.
 * Data: the results so far (cumulative, `GET /activity/{id}/exec/{batchId}`). Closed when the
 * batch has finished (its last command done, or one failed), when its activity closes, or when
 * the node closes.
 *
 * @example
 * ```ts
 * const batch = await activity.exec(script);
 * batch.results$.subscribe({ next: (r) => console.log(r.index, r.stdout), error: (e) => isBatchError(e) && console.error(e.commandIndex) });
 * ```
 */
export class Batch extends Resource<readonly BatchResult[]> {
  /** The resource kind on the bus. */
  static readonly kind = 'Batch';
  readonly kind = 'Batch';

  private readonly collected: BatchResult[] = [];
  private failure: BatchError | undefined;
  private finished = false;
  private live: Observable<BatchResult> | undefined;
  private readonly stopped = new Subject<void>();
  private wholeBatch = false;

  /**
   * Made by the node's factory only.
   * @param node the node
   * @param id the batch id
   * @param activity the activity it runs on
   * @param script its commands, when known (to name a failed command and to know the last one)
   */
  constructor(
    node: Activity['node'],
    id: string,
    readonly activity: Activity,
    readonly script: readonly ExeScriptCommandDto[] | undefined,
  ) {
    super(node, id);
  }

  protected fetchData(signal: AbortSignal): CallResult<readonly BatchResult[]> {
    return this.node.api.activity.getExecBatchResults(this.activity.id, this.id, {}, { signal });
  }

  /** The activity it runs on. */
  override get parent(): Activity {
    return this.activity;
  }

  /** Has the batch finished (all commands done, one failed, or stopped by a close)? */
  get done(): boolean {
    return this.finished;
  }

  /**
   * The per-command results, in command order: those already collected, then the rest as each
   * command finishes (long-polling `GET …/exec/{batchId}?commandIndex=n` while subscribed, shared;
   * a 408 just means "not yet"). Completes after the last command. Errors with `BatchError`:
   * reason `commandFailed` naming the failed command (its result is not emitted); `nodeClosed`
   * when `node.close()` stops following the batch before its last command; `activityClosed` when
   * the activity is destroyed (or its agreement ends) before that. Never completes short.
   * Transient failures are retried with backoff and reported as `SourceHealthChanged`; other
   * failures (404: the batch is unknown) error.
   *
   * ```text
   * poll:     -a--b------        (command 2 still running)
   * close:    ---------^         (node.close())
   * results$: -a--b----#         (BatchError nodeClosed, commandIndex 2)
   * ```
   */
  get results$(): Observable<BatchResult> {
    return defer(() => {
      const known = this.collected.slice();
      if (this.finished) return concat(from(known), this.failure ? throwError(() => this.failure) : EMPTY);
      return concat(
        from(known),
        this.liveResults$.pipe(concatMap((result) => (result.index < known.length ? EMPTY : of(result)))),
        // stopped by a close before the last command: the live results ended without it
        defer(() => (this.failure === undefined ? EMPTY : throwError(() => this.failure))),
      );
    }).pipe(
      concatMap((result) =>
        result.result === 'Error' ? throwError(() => this.failure ?? this.errorOf(result)) : of(result),
      ),
    );
  }

  /**
   * The batch's RuntimeEvents as yagna streams them (`Accept: text/event-stream`): `started`,
   * `stdout`/`stderr` (for `capture: { stdout: { stream: {} } }`), `progress`, `finished`. Cold:
   * each subscription opens a stream; unsubscribing closes it. yagna does not replay, so subscribe
   * right after `exec`. Completes after the `finished` event of the last command or of a failed
   * one; errors with the client's errors.
   */
  get runtime$(): Observable<RuntimeEventDto> {
    return streamOf<RuntimeEventDto>((signal) =>
      this.node.api.activity.streamBatchResults(this.activity.id, this.id, { signal }),
    ).pipe(takeWhile((event) => !this.isLastRuntimeEvent(event), true));
  }

  /**
   * Follows the batch by waiting for its end (no `commandIndex`: yagna answers when the last
   * command has finished, or the batch stopped at a failed one, with every result so far) instead
   * of one command at a time: one request for a batch whose intermediate results nobody reads
   * (`deployAndStart`) instead of one per command. Call before subscribing to `results$`.
   * @internal
   */
  awaitEnd(): this {
    this.wholeBatch = true;
    return this;
  }

  /**
   * Stops following the batch (the node is closing): marks it closed; an unfinished batch's
   * `results$` errors with `BatchError` (`nodeClosed`).
   * @internal
   */
  abandon(): void {
    this.stop('nodeClosed');
    this.markClosed();
  }

  /** Ends an unfinished batch with `BatchError(reason)` at the command it had reached. */
  private stop(reason: Exclude<BatchErrorReason, 'commandFailed'>): void {
    if (this.finished) return;
    this.finished = true;
    const index = this.collected.length;
    const command = this.script?.[index];
    this.failure = new BatchError({
      reason,
      activityId: this.activity.id,
      batchId: this.id,
      commandIndex: index,
      command: command === undefined ? undefined : Object.keys(command)[0],
    });
    this.stopped.next();
    this.markClosed();
  }

  private get liveResults$(): Observable<BatchResult> {
    this.live ??= this.source().pipe(
      tap((result) => this.collect(result)),
      takeWhile((result) => !this.isLast(result), true),
      takeUntil(merge(this.stopped, this.activity.closed$.pipe(tap(() => this.stop('activityClosed'))))),
      share({ resetOnError: true, resetOnComplete: true, resetOnRefCountZero: true }),
    );
    return this.live;
  }

  private source(): Observable<BatchResult> {
    const { node } = this;
    const name = `batch:${this.id}`;
    return createLongPollSource<BatchResult, number>({
      name,
      // With the script known, wait for one command at a time (`commandIndex`): yagna then fills
      // the stdout/stderr of that command only, and marks it `isBatchFinished`, so take just it.
      // Without it (or with `awaitEnd`), wait for the whole batch and take what has finished
      // (cumulative, de-duplicated).
      fetchBatch: (next = 0) =>
        fromCall((signal) =>
          node.api.activity.getExecBatchResults(
            this.activity.id,
            this.id,
            this.followsEach
              ? { commandIndex: next, timeout: node.config.pollTimeoutSec }
              : { timeout: node.config.pollTimeoutSec },
            { signal },
          ),
        ).pipe(
          map((results) =>
            results.filter((result) => (this.followsEach ? result.index === next : result.index >= next)),
          ),
          catchError((error: unknown) =>
            isYagnaTimeoutError(error) && error.status === 408 ? of([]) : throwError(() => error),
          ),
        ),
      initialCursor: () => this.collected.length,
      cursorOf: (result) => result.index + 1,
      compareCursor: (a, b) => a - b,
      keyOf: (result) => String(result.index),
      isTerminal: () => false,
      onHealth: (health) => node.events.emit(new SourceHealthChanged(name, health)),
      ...node.config.poll,
    }).events$;
  }

  /** Is it followed one command at a time (`commandIndex`)? */
  private get followsEach(): boolean {
    return this.script !== undefined && !this.wholeBatch;
  }

  private isLast(result: BatchResult): boolean {
    if (result.result === 'Error') return true;
    return this.script === undefined ? result.isBatchFinished : result.index >= this.script.length - 1;
  }

  private isLastRuntimeEvent(event: RuntimeEventDto): boolean {
    if (!('finished' in event.kind)) return false;
    return (
      event.kind.finished.return_code !== 0 ||
      (this.script !== undefined && event.index >= this.script.length - 1)
    );
  }

  private collect(result: BatchResult): void {
    if (result.index !== this.collected.length) return;
    if (result.result === 'Error') {
      this.failure = this.errorOf(result);
    } else {
      this.collected.push(result);
    }
    this.setData([...this.collected, ...(result.result === 'Error' ? [result] : [])]);
    if (this.isLast(result)) {
      this.finished = true;
      this.markClosed();
    }
  }

  private errorOf(result: BatchResult): BatchError {
    const command = this.script?.[result.index];
    return new BatchError({
      activityId: this.activity.id,
      batchId: this.id,
      commandIndex: result.index,
      command: command === undefined ? undefined : Object.keys(command)[0],
      message: result.message,
      stdout: result.stdout,
      stderr: result.stderr,
    });
  }
}
