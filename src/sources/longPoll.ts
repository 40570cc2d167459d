import type { Observable, SchedulerLike } from 'rxjs';
import {
  EMPTY,
  Subject,
  asyncScheduler,
  concat,
  concatMap,
  defaultIfEmpty,
  defer,
  expand,
  filter,
  map,
  of,
  retry,
  share,
  take,
  throwError,
  timer,
} from 'rxjs';
import { fromCall } from '../rx/fromCall.js';
import type { BackoffConfig } from './backoff.js';
import { backoffDelay } from './backoff.js';
import { isTerminalPollError, isTransientPollError } from './errorClassifiers.js';
import type { SourceHealth } from './health.js';
import { PollState, PollStep, drain } from './longPollInternals.js';

/**
 * Turns one of yagna's long-polls into a hot source: `events$` emits the events one by one,
 * polls only while someone is subscribed, and `health$` reports while yagna is unreachable.
 *
 * A cursor-carrying `expand` over a one-batch Observable: each batch is one request (its own
 * `AbortController`, aborted only while the request is in flight, as `fromFetch` does), whose
 * new events are delivered and followed by a step marker carrying the cursor of the next request.
 * Then `share({ resetOnRefCountZero: true })`.
 *
 * ```text
 * fetch:    --a|                          (cursor undefined)
 *              ---b|                      (cursor = cursorOf(a))
 *                  ---[]|                 (empty: cursor kept; next poll after minIntervalMs)
 * events$:  --a-----b-------…
 * ```
 *
 * - **Hot**, shared. The first subscriber starts polling; when the last leaves, the request in
 *   flight is aborted and polling stops.
 * - **The cursor survives a refCount reset** (and so do the dedup window and any events fetched
 *   but not yet delivered): a later subscriber continues where the source stopped and does not
 *   replay history. A new source (call the factory again) starts from `initialCursor`.
 * - **De-duplication**: with `keyOf`, an event whose key is among the last `dedupWindow` keys is
 *   dropped. **Cursor**: with `cursorOf`, the cursor becomes the event's cursor, only forward
 *   when `compareCursor` is given. An empty batch keeps it.
 * - **Look-back** (`lookback`, for logs where an event may be dated before one already taken, or
 *   where a capped batch may split events that share a cursor): after each long-poll the source
 *   reads the window (`lookback(cursor)`, `cursor`] again, in pages that follow each other at
 *   once (each starts after the second-newest cursor of the one before, so it is always later),
 *   then long-polls after `cursor` again. Keys are remembered while their cursor is inside the
 *   window (not by `dedupWindow`), so nothing is delivered twice; an event at or before the
 *   window's start (or `initialCursor`) is not delivered.
 * - **Completes** when `isTerminal(error)` (default: 404 or 410, a gone subscription).
 * - **Transient errors** (`isTransient`, default: network, 408, 429, 5xx) are retried after a
 *   jittered, capped exponential backoff on `scheduler`, each reported on `health$` as
 *   `unreachable`; the first answer after that is reported as `recovered`. After a daemon
 *   restart polling resumes from the cursor: no event lost, none repeated.
 * - **Errors** with anything else (and with the last transient error after `maxRetries`),
 *   and with whatever a callback of the config throws.
 *
 * @example
 * ```ts
 * const agreements = createLongPollSource({
 *   fetchBatch: (after, signal) => api.collectAgreementEvents({ afterTimestamp: after, timeout: 5 }, { signal }),
 *   cursorOf: (e) => e.eventDate,
 *   compareCursor: compareTimestamps,
 *   keyOf: persistentEventKey,
 * });
 * agreements.events$.subscribe({ next: console.log, error: console.error });
 * ```
 * @throws {TypeError} when `lookback` is given without `cursorOf`, `compareCursor` and `keyOf`
 * @see persistentLogSource
 * @see consumingQueueSource
 */
export function createLongPollSource<E, C = never>(config: LongPollConfig<E, C>): LongPollSource<E, C> {
  const {
    fetchBatch,
    isTerminal = isTerminalPollError,
    isTransient = isTransientPollError,
    maxRetries = Infinity,
    minIntervalMs = 1000,
    random = Math.random,
    scheduler = asyncScheduler,
  } = config;
  const state = new PollState<E, C>(config);
  const health = new Subject<SourceHealth>();

  const report = (event: SourceHealth): void => {
    config.onHealth?.(event);
    health.next(event);
  };
  const answered = (): void => {
    if (state.downSince === undefined) return;
    const downtimeMs = scheduler.now() - state.downSince;
    state.downSince = undefined;
    report({ kind: 'recovered', downtimeMs });
  };
  const onFailure = (error: unknown, attempt: number): Observable<unknown> => {
    if (isTerminal(error)) {
      answered();
      return EMPTY;
    }
    if (!isTransient(error) || attempt > maxRetries) return throwError(() => error);
    state.downSince ??= scheduler.now();
    const retryInMs = backoffDelay(attempt, config.backoff, random);
    report({ kind: 'unreachable', attempt, error, retryInMs });
    return timer(retryInMs, scheduler);
  };

  /**
   * One request, aborted only while in flight (`fromCall`): once its batch has arrived, leaving
   * (even in the middle of delivering that batch) no longer aborts it. The batch and how long it
   * took.
   */
  const request = (cursor: C | undefined): Observable<{ events: readonly E[]; elapsedMs: number }> =>
    defer(() => {
      const startedAt = scheduler.now();
      return fromCall((signal) => fetchBatch(cursor, signal)).pipe(
        take(1),
        defaultIfEmpty<readonly E[], readonly E[]>([]),
        map((events) => ({ events, elapsedMs: scheduler.now() - startedAt })),
      );
    });

  /** One batch: the request (retried while transient), its new events, then the next step. */
  const batch = (cursor: C | undefined): Observable<E | PollStep<C>> =>
    request(cursor).pipe(
      retry({ delay: onFailure }),
      concatMap(({ events, elapsedMs }) => {
        answered();
        const { fresh, lookedBack } = state.absorb(events, cursor);
        // a look-back page is followed at once: the next one starts later (see PollState.plan)
        const delayMs = fresh === 0 && !lookedBack ? Math.max(0, minIntervalMs - elapsedMs) : 0;
        return concat(drain(state.queue), of(new PollStep(state.requestCursor, delayMs)));
      }),
    );

  const next = (step: PollStep<C>): Observable<E | PollStep<C>> =>
    step.delayMs > 0
      ? timer(step.delayMs, scheduler).pipe(concatMap(() => batch(step.cursor)))
      : batch(step.cursor);

  const events$ = defer(() => concat(drain(state.queue), batch(state.requestCursor))).pipe(
    expand((item) => (item instanceof PollStep ? next(item) : EMPTY)),
    filter((item): item is E => !(item instanceof PollStep)),
    share({ resetOnError: true, resetOnComplete: true, resetOnRefCountZero: true }),
  );

  return {
    name: config.name ?? 'long-poll',
    events$,
    health$: health.asObservable(),
    get cursor() {
      return state.cursor;
    },
  };
}

/**
 * The events of a long-poll as a hot Observable; health goes to `config.onHealth`.
 * Shorthand for `createLongPollSource(config).events$`.
 *
 * @see createLongPollSource for the semantics
 */
export function longPoll<E, C = never>(config: LongPollConfig<E, C>): Observable<E> {
  return createLongPollSource(config).events$;
}

/** A hot long-poll source: its events, its health, and where it stands. */
export interface LongPollSource<E, C = never> {
  /** A label for logs and health events on the bus. */
  readonly name: string;
  /** The events, one by one. Hot and shared; polls only while subscribed. */
  readonly events$: Observable<E>;
  /**
   * Health reports (hot, never completes). Subscribing to it does not start polling;
   * merge it into the bus with `sourceHealthChanged(source.name)`.
   */
  readonly health$: Observable<SourceHealth>;
  /**
   * The cursor of the newest event taken, or the initial one (for inspection, or persistence as a
   * later source's `initialCursor`): the next long-poll asks for events after it.
   */
  readonly cursor: C | undefined;
}

/** Configuration of {@link createLongPollSource}. */
export interface LongPollConfig<E, C = never> {
  /**
   * Fetches one batch after `cursor`, honouring `signal`. A Promise (the `src/api` adapters) or an
   * Observable (ports, marble tests): its first value is the batch; completing without one is an
   * empty batch. The long-poll's client timeout must exceed its server timeout.
   */
  readonly fetchBatch: (
    cursor: C | undefined,
    signal: AbortSignal,
  ) => PromiseLike<readonly E[]> | Observable<readonly E[]>;
  /** The cursor an event moves the source to (persistent logs: its `eventDate`). */
  readonly cursorOf?: (event: E) => C;
  /** Orders cursors so the cursor never moves back; without it the last event's cursor wins. */
  readonly compareCursor?: (a: C, b: C) => number;
  /** The identity of an event for de-duplication; without it nothing is de-duplicated. */
  readonly keyOf?: (event: E) => string;
  /**
   * How many recent keys are remembered for de-duplication (without `lookback`; with it, the
   * keys inside the look-back window are remembered, however many).
   * @default 1024
   */
  readonly dedupWindow?: number;
  /**
   * Turns on look-back: given the newest cursor, the start of the window read again after each
   * long-poll (persistent logs: `eventDate` minus some milliseconds; see `persistentLogSource`'s
   * `lookbackMs`); a start after `newest` counts as `newest`. Needs `cursorOf`, `compareCursor`
   * and `keyOf`.
   * @default undefined (no look-back)
   */
  readonly lookback?: (newest: C) => C;
  /** The cursor of the first request, evaluated once at the first subscription. */
  readonly initialCursor?: () => C | undefined;
  /**
   * Errors that end the stream by completing it.
   * @default isTerminalPollError (404, 410)
   */
  readonly isTerminal?: (error: unknown) => boolean;
  /**
   * Errors that are retried after a backoff.
   * @default isTransientPollError (network, 408, 429, 5xx)
   */
  readonly isTransient?: (error: unknown) => boolean;
  /**
   * Consecutive transient failures retried before the source errors with the last one.
   * @default Infinity
   */
  readonly maxRetries?: number;
  /** The backoff shape. @default { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.5 } */
  readonly backoff?: BackoffConfig;
  /**
   * Jitter source in `[0, 1)`; inject a constant in tests.
   * @default Math.random
   */
  readonly random?: () => number;
  /**
   * A floor between polls that bring no new event: if such a batch came back faster than this,
   * the next poll waits for the rest (guards against a server answering `[]`, or only events
   * already seen, at once). Look-back pages are exempt: each starts later than the one before.
   * @default 1000
   */
  readonly minIntervalMs?: number;
  /** Called with each health report, before `health$` emits it. */
  readonly onHealth?: (health: SourceHealth) => void;
  /** A label for logs and health events. @default 'long-poll' */
  readonly name?: string;
  /** Schedules backoff and poll delays and reads the time. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
}

/** The options shared by {@link createLongPollSource} and its two queue-model helpers. */
export type LongPollCommonConfig<E, C> = Omit<
  LongPollConfig<E, C>,
  'fetchBatch' | 'cursorOf' | 'compareCursor' | 'initialCursor' | 'keyOf' | 'lookback'
>;
