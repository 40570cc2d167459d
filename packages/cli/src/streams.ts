/**
 * The edge between the command line's Promises and the library's Observables: a stream consumed
 * until it ends, times out or is interrupted (one abortable call as an Observable is the
 * library's `fromCall`).
 * This is an adapter at the edge: its timeout is real time (rxjs `timer` on the async scheduler).
 */
import { inspect } from 'node:util';
import { Observable, fromEvent, map, merge, take, takeUntil, tap, timer, type SchedulerLike } from 'rxjs';

/** Why {@link consume} stopped. */
export type StreamEnd = 'completed' | 'interrupted' | 'timeout';

/** How {@link consume} runs a stream. */
export interface ConsumeOptions<T> {
  /** Called with each value; what it throws ends the stream with that error. */
  readonly each: (value: T) => void;
  /** Stops the stream when it aborts. */
  readonly interrupt: AbortSignal;
  /** Stops the stream after this many ms. */
  readonly timeoutMs?: number;
  /** The timeout's clock. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
}

/**
 * Subscribes to `source$` and resolves when it completes, when the interrupt aborts or when the
 * timeout elapses (unsubscribing, which aborts any request in flight); rejects with its error.
 *
 * @param source$ the stream
 * @param options what to do with each value and when to stop
 * @returns why it stopped
 */
export function consume<T>(source$: Observable<T>, options: ConsumeOptions<T>): Promise<StreamEnd> {
  const { interrupt, timeoutMs, scheduler } = options;
  if (interrupt.aborted) return Promise.resolve('interrupted');
  return new Promise<StreamEnd>((resolve, reject) => {
    let end: StreamEnd = 'completed';
    const stops: Observable<StreamEnd>[] = [
      fromEvent(interrupt, 'abort').pipe(map(() => 'interrupted' as const)),
    ];
    if (timeoutMs !== undefined) stops.push(timer(timeoutMs, scheduler).pipe(map(() => 'timeout' as const)));
    const stop$ = merge(...stops).pipe(
      take(1),
      tap((reason) => (end = reason)),
    );
    source$.pipe(tap(options.each), takeUntil(stop$)).subscribe({
      error: (err: unknown) => reject(err instanceof Error ? err : new Error(inspect(err))),
      complete: () => resolve(end),
    });
  });
}

/**
 * How the command line's long-polls retry: a few quick retries, then the error ends the command
 * with a one-line message (a command should not hang on an unreachable yagna).
 */
export const CLI_POLL_RETRY = { maxRetries: 3, backoff: { initialMs: 250, maxMs: 2_000 } } as const;

/** The server-side wait of the command line's long-polls, in seconds. */
export const CLI_POLL_TIMEOUT_SEC = 5;
