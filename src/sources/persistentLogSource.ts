import type { Observable } from 'rxjs';
import { asyncScheduler } from 'rxjs';
import { persistentEventKey } from './eventKeys.js';
import type { LongPollCommonConfig, LongPollSource } from './longPoll.js';
import { createLongPollSource } from './longPoll.js';
import { compareTimestamps } from './timestamps.js';

/**
 * A long-poll over one of yagna's persistent logs (`collectAgreementEvents`,
 * `getDebitNoteEvents`, `getInvoiceEvents`): nothing is consumed on the server, so the source
 * passes `afterTimestamp` = the `eventDate` of the last event it took (compared as instants,
 * never as text, so the cursor only moves forward), and drops events whose
 * `keyOf` (default {@link persistentEventKey}) it saw recently.
 *
 * ```text
 * fetch:    --[a b]|                         (after undefined, or initialCursor)
 *                  --[]|                     (after b.eventDate; empty: cursor kept)
 *                      ------[b c]|          (after b.eventDate; b is a duplicate)
 * events$:  --(ab)-------------c---…
 * ```
 *
 * Hot, polls only while subscribed; the cursor survives the refCount reset. Completes on 404/410;
 * retries transient errors with backoff (see `health$`); errors otherwise.
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
 * @see createLongPollSource
 * @see consumingQueueSource
 */
export function persistentLogSource<E extends { readonly eventDate: string }>(
  config: PersistentLogConfig<E>,
): LongPollSource<E, string> {
  const { initialCursor, keyOf = persistentEventKey, ...rest } = config;
  const scheduler = config.scheduler ?? asyncScheduler;
  return createLongPollSource<E, string>({
    ...rest,
    name: config.name ?? 'persistent-log',
    cursorOf: (event) => event.eventDate,
    compareCursor: compareTimestamps,
    keyOf,
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
   * first subscription) or `undefined` (the whole log, yagna's default).
   * @default undefined
   */
  readonly initialCursor?: string;
  /** @default persistentEventKey */
  readonly keyOf?: (event: E) => string;
}
