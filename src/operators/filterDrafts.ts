import { type MonoTypeOperatorFunction, type SchedulerLike, asyncScheduler, filter } from 'rxjs';
import type { OnOperatorEvent } from './events.js';
import { detach, eventReporter, rejectDraft } from './internals/operatorInternals.js';
import type { NegotiatedDraft } from './lease.js';

/**
 * `filter` for drafts between `negotiate` and its consumer: a draft the predicate drops gets its
 * lease released (so `negotiate` counters the next proposal) and is rejected to the provider.
 *
 * <span class="informal">A plain `filter` there keeps `negotiate`'s bound but never gives back
 * the slot of a dropped draft: after `n` drops, negotiation stops.</span>
 *
 * ```text
 * source:   -a-b-c-|        predicate keeps a and c
 * result:   -a---c-|        b: lease released, b.draft.reject() subscribed at once
 * ```
 *
 * Cold; completes and errors with the source. Errors: what the predicate throws (as `filter`).
 * Rejecting runs detached to its end; its failure is a `cleanupFailed` event (a 404 or 410, the
 * draft or its demand already gone, counts as done), and every drop a `draftDropped` event.
 *
 * @param predicate - keeps the draft when it returns true.
 * @param config - see {@link FilterDraftsConfig}.
 * @returns an operator that passes the drafts the predicate keeps.
 *
 * @example
 * ```ts
 * proposals$.pipe(negotiate(4), filterDrafts(({ draft }) => draft.properties['golem.runtime.name'] === 'vm'), createAgreement());
 * ```
 *
 * @see {@link negotiate}
 */
export function filterDrafts<T extends NegotiatedDraft>(
  predicate: (item: T, index: number) => boolean,
  config: FilterDraftsConfig = {},
): MonoTypeOperatorFunction<T> {
  const { reason = 'Draft not selected', scheduler = asyncScheduler } = config;
  const report = eventReporter(config.onEvent, undefined, scheduler);
  return filter((item: T, index: number) => {
    if (predicate(item, index)) return true;
    item.lease.release();
    report({ type: 'draftDropped', draft: item.draft });
    detach(rejectDraft(item.draft, reason, report), scheduler);
    return false;
  });
}

/** The options of {@link filterDrafts}. */
export interface FilterDraftsConfig {
  /**
   * The reason sent to the provider with the rejection.
   * @default 'Draft not selected'
   */
  reason?: string;
  /**
   * Where failures of `onEvent` are thrown (no subscriber to send them to).
   * @default asyncScheduler
   */
  scheduler?: SchedulerLike;
  /** Receives `draftDropped` and `cleanupFailed` events. */
  onEvent?: OnOperatorEvent;
}
