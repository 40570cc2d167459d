import type { Observable } from 'rxjs';
import { marketEventKey } from './eventKeys.js';
import type { LongPollCommonConfig, LongPollSource } from './longPoll.js';
import { createLongPollSource } from './longPoll.js';

/**
 * A long-poll over yagna's consuming queue (`collectOffers`): each event is handed out once by
 * the server, so there is no cursor; events whose `keyOf` (default {@link marketEventKey}: by
 * proposal id) was seen recently are dropped. Events fetched but not taken by a consumer that
 * left mid-batch are kept for the next subscriber (the server will not send them again).
 *
 * ```text
 * fetch:    --[a b]|
 *                  -----[b c]|               (b repeated by the provider: dropped)
 * events$:  --(ab)-------c---…
 * ```
 *
 * Hot, polls only while subscribed. Completes on 404/410 (demand unsubscribed or expired);
 * retries transient errors with backoff (see `health$`); errors otherwise.
 *
 * @example
 * ```ts
 * const offers = consumingQueueSource({
 *   name: `offers:${demandId}`,
 *   fetchBatch: (signal) => api.collectOffers(demandId, { timeout: 5, maxEvents: 20 }, { signal }),
 * });
 * ```
 * @see createLongPollSource
 * @see persistentLogSource
 */
export function consumingQueueSource<E>(config: ConsumingQueueConfig<E>): LongPollSource<E> {
  const { fetchBatch, keyOf = marketEventKey, ...rest } = config;
  return createLongPollSource<E>({
    ...rest,
    name: config.name ?? 'consuming-queue',
    fetchBatch: (_cursor, signal) => fetchBatch(signal),
    keyOf,
  });
}

/** Configuration of {@link consumingQueueSource}. */
export interface ConsumingQueueConfig<E> extends LongPollCommonConfig<E, never> {
  /** Fetches the next events of the queue (the server removes what it returns). */
  readonly fetchBatch: (signal: AbortSignal) => PromiseLike<readonly E[]> | Observable<readonly E[]>;
  /** @default marketEventKey */
  readonly keyOf?: (event: E) => string;
}
