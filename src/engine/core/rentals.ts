/**
 * The rental chain of the scheduling core, built from the spending operators:
 * offers (one demand round at a time) → `score` → `negotiate(maxWorkers)` → drafts, held by the
 * core's gate; then drafts the core lets through → `createAgreement` → `createActivity` → workers.
 * Operator events become hooks calls, so the core can count offers and rentals.
 *
 * @module
 */
import { type Observable, type SchedulerLike, switchMap, tap } from 'rxjs';
import { createActivity } from '../../operators/createActivity.js';
import { createAgreement } from '../../operators/createAgreement.js';
import type { OperatorEvent } from '../../operators/events.js';
import type { NegotiatedDraft } from '../../operators/lease.js';
import { negotiate } from '../../operators/negotiate.js';
import { type Scorer, score } from '../../operators/score.js';
import type { AgreementOf, DraftOf, OfferProposal } from '../../ports/index.js';
import type { ProposalRejection } from '../events.js';
import type { ActivityOfOffer } from './ports.js';

/** A draft as the core's gate holds it. */
export type HeldDraft<P extends OfferProposal> = NegotiatedDraft<DraftOf<P>, P>;

/** What the rental chain tells the core. */
export interface RentalHooks<P extends OfferProposal> {
  /** Round `round` of offers begins. */
  roundStarted(round: number): void;
  /** An offer arrived. */
  offered(proposal: P): void;
  /** An offer went no further (it counts as settled). */
  dropped(proposal: OfferProposal, reason: ProposalRejection, error?: unknown): void;
  /** An agreement was approved. */
  signed(agreement: AgreementOf<DraftOf<P>>): void;
  /** Signing a draft failed. */
  signingFailed(providerId: string, agreementId: string | undefined, error: unknown): void;
  /** Starting an activity failed; the operator terminated the agreement. */
  startFailed(providerId: string, agreementId: string, error: unknown): void;
  /** A best-effort cleanup of an operator failed. */
  cleanupFailed(action: string, resourceId: string, error: unknown): void;
}

/** The operator settings of the rental chain. */
export interface RentalSettings<P extends OfferProposal> {
  readonly maxWorkers: number;
  readonly scorer: Scorer<P>;
  readonly minProposals: number | undefined;
  readonly maxWait: number | undefined;
  readonly approvalTimeout: number | undefined;
  readonly scheduler: SchedulerLike;
}

function routeEvent<P extends OfferProposal>(hooks: RentalHooks<P>): (event: OperatorEvent) => void {
  return (event) => {
    switch (event.type) {
      case 'proposalDropped':
        hooks.dropped(event.proposal, event.reason);
        return;
      case 'counterFailed':
        hooks.dropped(event.proposal, 'counter', event.error);
        return;
      case 'agreementFailed':
        hooks.signingFailed(event.draft.providerId, event.agreement?.id, event.error);
        return;
      case 'activityFailed':
        hooks.startFailed(event.agreement.providerId, event.agreement.id, event.error);
        return;
      case 'cleanupFailed':
        hooks.cleanupFailed(event.action, event.resourceId, event.error);
        return;
      case 'draftDropped':
        return;
    }
  };
}

/**
 * The drafts of successive demand rounds: each value of `rounds$` switches to the offers of a new
 * round (the previous demand is withdrawn); offers are scored and countered, at most `maxWorkers`
 * negotiating or held as drafts at once.
 */
export function draftsOf<P extends OfferProposal>(
  rounds$: Observable<number>,
  offers: (round: number) => Observable<P>,
  settings: RentalSettings<P>,
  hooks: RentalHooks<P>,
): Observable<HeldDraft<P>> {
  const onEvent = routeEvent(hooks);
  return rounds$.pipe(
    switchMap((round) => {
      hooks.roundStarted(round);
      return offers(round).pipe(tap((proposal) => hooks.offered(proposal)));
    }),
    score(settings.scorer, {
      minProposals: settings.minProposals,
      maxWait: settings.maxWait,
      scheduler: settings.scheduler,
      onEvent,
    }),
    // The core keeps its own per-provider bookkeeping (busy, excluded) across rentals.
    negotiate<P>(settings.maxWorkers, { scheduler: settings.scheduler, onEvent, distinctProviders: false }),
  );
}

/** Signs the drafts the gate lets through and starts an activity on each: the workers to be. */
export function rentalsOf<P extends OfferProposal>(
  drafts$: Observable<HeldDraft<P>>,
  settings: RentalSettings<P>,
  hooks: RentalHooks<P>,
): Observable<ActivityOfOffer<P>> {
  const onEvent = routeEvent(hooks);
  return drafts$.pipe(
    createAgreement<DraftOf<P>>({
      concurrency: settings.maxWorkers,
      approvalTimeout: settings.approvalTimeout,
      scheduler: settings.scheduler,
      onEvent,
    }),
    tap((agreement) => hooks.signed(agreement)),
    createActivity<AgreementOf<DraftOf<P>>>({ scheduler: settings.scheduler, onEvent }),
  );
}
