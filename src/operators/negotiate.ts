import { type OperatorFunction, type SchedulerLike, asyncScheduler } from 'rxjs';
import type { DraftOf, OfferProposal } from '../ports/index.js';
import type { OnOperatorEvent } from './events.js';
import { runNegotiate } from './internals/negotiateInternals.js';
import { checkCount } from './internals/operatorInternals.js';
import type { NegotiatedDraft } from './lease.js';
import type { Scored } from './score.js';

export function negotiate<P extends OfferProposal>(
  concurrency?: number,
  config?: Omit<NegotiateConfig<P>, 'concurrency'>,
): OperatorFunction<P | Scored<P>, NegotiatedDraft<DraftOf<P>, P>>;
export function negotiate<P extends OfferProposal>(
  config: NegotiateConfig<P>,
): OperatorFunction<P | Scored<P>, NegotiatedDraft<DraftOf<P>, P>>;
/**
 * Counters the best proposal it holds whenever a slot is free, keeping
 * `negotiating + drafts leased downstream <= n`, and emits each provider's draft with the
 * {@link Lease} of its slot.
 *
 * <span class="informal">The DefaultNegotiator of yapapi as an operator: it takes the source
 * eagerly into a max-heap (by {@link Scored} score, arrival order among equals; unscored
 * proposals count as score 0), but spends (sends a counter-proposal) only while fewer than `n`
 * slots are taken. A slot is taken from the counter-proposal until the consumer releases the
 * draft's lease: `createAgreement` does when it is done with the draft, `filterDrafts` when it
 * drops one.</span>
 *
 * ```text
 * source:    -x-(abc)------|    scores x:9 a:1 b:3 c:2; negotiate(1); each lease released on arrival
 * x.respond   ----X|
 * b.respond       --B|          (b is the best the heap holds when the slot frees)
 * c.respond         --C|
 * a.respond           --A|
 * result:    -----X-B-C-A--|
 * ```
 *
 * Cold: every subscription has its own heap and slots. It completes when the source has
 * completed, the heap is empty and no counter-proposal is in flight (leases still held do not
 * delay it). Per-proposal failures are `counterFailed` events and free the slot: the provider
 * rejecting (`ProposalRejectedError`), the call failing, or answering nothing
 * (`EmptyResponseError`). Expired proposals are dropped when their turn comes
 * (`proposalDropped`). Errors: `CounterProposalError` (the `respond` function threw) and the
 * source's errors. Unsubscribing aborts the counter-proposals in flight; each draft already
 * emitted belongs to the consumer that received it (`createAgreement` rejects those it has not
 * begun).
 *
 * A plain `filter` between `negotiate` and the consumer keeps the bound but loses the slots of the
 * drafts it drops; use {@link filterDrafts} there.
 *
 * @param concurrency - `n`, the number of slots; or the whole {@link NegotiateConfig}.
 * @param config - see {@link NegotiateConfig}.
 * @returns an operator from (scored) proposals to {@link NegotiatedDraft}s.
 *
 * @example
 * ```ts
 * proposals$.pipe(
 *   score(byPrice, { minProposals: 5, maxWait: 3_000 }),
 *   negotiate(4, { respond: () => ({ properties: { ...demandProps, 'golem.com.payment.chosen-platform': platform } }) }),
 *   createAgreement(),
 *   take(2),
 * );
 * ```
 *
 * @see {@link score}
 * @see {@link createAgreement}
 * @see {@link filterDrafts}
 */
export function negotiate<P extends OfferProposal>(
  concurrencyOrConfig: number | NegotiateConfig<P> = 1,
  maybeConfig: Omit<NegotiateConfig<P>, 'concurrency'> = {},
): OperatorFunction<P | Scored<P>, NegotiatedDraft<DraftOf<P>, P>> {
  const config: NegotiateConfig<P> =
    typeof concurrencyOrConfig === 'number'
      ? { ...maybeConfig, concurrency: concurrencyOrConfig }
      : concurrencyOrConfig;
  const settings = {
    concurrency: checkCount('negotiate', 'concurrency', config.concurrency ?? 1),
    distinctProviders: config.distinctProviders ?? true,
    respond: config.respond,
    scheduler: config.scheduler ?? asyncScheduler,
    onEvent: config.onEvent,
  };
  return (source) => runNegotiate(source, settings);
}

/** The options of {@link negotiate}. */
export interface NegotiateConfig<P extends OfferProposal = OfferProposal> {
  /**
   * `n`: how many proposals may be in negotiation or leased downstream as drafts at once.
   * @default 1
   */
  concurrency?: number;
  /**
   * One draft per provider: while a provider is being countered its other offers wait, and once
   * it gave a draft its other offers (re-issued or repeated) are dropped (`proposalDropped` with
   * reason `provider`) for the rest of this subscription, so one `take(n)` never signs two
   * agreements with one provider, and a provider whose agreement failed (not approved) is not
   * tried again. `false` counters every offer on its own (the task engine does, keeping its own
   * per-provider bookkeeping).
   * @default true
   */
  distinctProviders?: boolean;
  /**
   * Builds the counter-proposal for a proposal (called when its turn comes). Return `undefined`
   * (or leave this out) to let the port counter with the demand's properties and constraints.
   */
  respond?: (proposal: P, score: number) => CounterProposal | undefined;
  /**
   * The clock expiry is checked against.
   * @default asyncScheduler
   */
  scheduler?: SchedulerLike;
  /** Receives `counterFailed` and `proposalDropped` events. */
  onEvent?: OnOperatorEvent;
}

/** The counter-proposal to send; what is left out is the port's default (the demand's own). */
export interface CounterProposal {
  /** The demand properties to counter with. */
  readonly properties?: Record<string, unknown>;
  /** The demand constraints to counter with. */
  readonly constraints?: string;
}
