import type { Observable } from 'rxjs';
import { asyncScheduler } from 'rxjs';
import { persistentEventKey } from './eventKeys.js';
import type { LongPollCommonConfig, LongPollSource } from './longPoll.js';
import { createLongPollSource } from './longPoll.js';
import { compareTimestamps, shiftTimestamp } from './timestamps.js';

/**
 * A long-poll over one of yagna's persistent logs (`collectAgreementEvents`,
 * `getDebitNoteEvents`, `getInvoiceEvents`): nothing is consumed on the server, so the source
 * long-polls with `afterTimestamp` = the newest `eventDate` it took (compared as instants,
 * never as text, so the cursor only moves forward), and drops events whose `keyOf` (default
 * {@link persistentEventKey}) it has seen.
 *
 * **Look-back.** A log may insert an event dated before one already taken (yagna, or devnet's
 * `outOfOrderPaymentEvents`), and a batch capped by `maxEvents` may split events that share an
 * `eventDate`: paging strictly after the newest date would lose both. So after each long-poll
 * the source reads the last `lookbackMs` again (`afterTimestamp` = newest − `lookbackMs`, in pages
 * that follow each other at once), keeping the keys of the events inside that window to drop
 * what it already delivered, then long-polls again. An event dated `lookbackMs` or more before
 * the newest one it took, or at or before `initialCursor`, is never delivered.
 *
 * ```text
 * fetch:    --[a b]|                                      (after initialCursor: a long-poll)
 *                   -[a b]|                               (after b − lookbackMs: both seen)
 *                          -[b]|                          (after a, the second-newest: seen)
 *                               -------[c]|               (after b: a long-poll)
 *                                          -[a x b c]|    (after c − lookbackMs: x is new)
 * events$:  --(ab)---------------------c----x…
 * ```
 *
 * Hot, polls only while subscribed; the cursor and the remembered keys survive the refCount
 * reset. Completes on 404/410; retries transient errors with backoff (see `health$`); errors
 * otherwise.
 *
 * @example
 * ```ts
 * const invoices = persistentLogSource({
 *   name: 'invoiceEvents',
 *   initialCursor: 'now',
 *   fetchBatch: (afterTimestamp, signal) =>
 *     api.getInvoiceEvents({ afterTimestamp, timeout: 5, maxEvents: 100 }, { signal }),
 * });
 * ```
 * @throws {RangeError} when `lookbackMs` is negative or not finite
 * @see createLongPollSource
 * @see consumingQueueSource
 */
export function persistentLogSource<E extends { readonly eventDate: string }>(
  config: PersistentLogConfig<E>,
): LongPollSource<E, string> {
  const { initialCursor, keyOf = persistentEventKey, lookbackMs = 5000, ...rest } = config;
  if (!(Number.isFinite(lookbackMs) && lookbackMs >= 0)) {
    throw new RangeError(
      `persistentLogSource: lookbackMs must be a non-negative number of milliseconds, got ${String(lookbackMs)}`,
    );
  }
  const scheduler = config.scheduler ?? asyncScheduler;
  return createLongPollSource<E, string>({
    ...rest,
    name: config.name ?? 'persistent-log',
    cursorOf: (event) => event.eventDate,
    compareCursor: compareTimestamps,
    keyOf,
    lookback: lookbackMs > 0 ? (newest) => shiftTimestamp(newest, -lookbackMs) : undefined,
    initialCursor: () => (initialCursor === 'now' ? new Date(scheduler.now()).toISOString() : initialCursor),
  });
}

/** Configuration of {@link persistentLogSource}. */
export interface PersistentLogConfig<E extends { readonly eventDate: string }> extends LongPollCommonConfig<
  E,
  string
> {
  /** Fetches the events with `eventDate > afterTimestamp` (all of them when undefined). */
  readonly fetchBatch: (
    afterTimestamp: string | undefined,
    signal: AbortSignal,
  ) => PromiseLike<readonly E[]> | Observable<readonly E[]>;
  /**
   * Where the log is read from: an RFC 3339 timestamp, `'now'` (the scheduler's clock at the
   * first subscription) or `undefined` (the whole log, yagna's default). Events dated at or
   * before it are not delivered.
   * @default undefined
   */
  readonly initialCursor?: string;
  /** @default persistentEventKey */
  readonly keyOf?: (event: E) => string;
  /**
   * How far back, in milliseconds before the newest `eventDate` taken, the log is read again after
   * each long-poll, to catch events inserted out of order and events a capped batch split off.
   * `0` turns look-back off (strictly after the newest date, as before: such events are lost).
   * The keys of the events inside the window are remembered, so memory grows with the number of
   * events in `lookbackMs`, not with the log.
   * @default 5000
   */
  readonly lookbackMs?: number;
}
