import type { ActivityPort, AgreementPort, DraftProposal, OfferProposal } from '../ports/index.js';

/** The cleanup steps the operators take on resources they started and will not hand on. */
export type CleanupAction = 'rejectDraft' | 'cancelAgreement' | 'terminateAgreement' | 'destroyActivity';

/**
 * A per-item outcome of a spending operator that is not an item of its output: a proposal
 * dropped, a counter-proposal or an agreement that failed, a cleanup call that failed. The
 * operators report them to the `onEvent` callback of their config, if given (wire it to the event
 * bus or a logger), and carry on: one provider failing never fails the stream.
 *
 * `error` is what the port raised: usually a typed golem-rx error (`ProposalRejectedError`,
 * `AgreementNotApprovedError`, `EmptyResponseError`, the client's HTTP errors); narrow it with the
 * `isXxxError` guards.
 */
export type OperatorEvent =
  | {
      /**
       * `score` or `negotiate` dropped a proposal: its score was `null`/negative (`score`), it
       * expired (`expired`), or its provider already gave a draft in this subscription
       * (`provider`, see `negotiate`'s `distinctProviders`).
       */
      readonly type: 'proposalDropped';
      readonly proposal: OfferProposal;
      readonly reason: 'score' | 'expired' | 'provider';
    }
  | {
      /** A counter-proposal failed (the provider rejected it, or the call failed); its slot freed. */
      readonly type: 'counterFailed';
      readonly proposal: OfferProposal;
      readonly error: unknown;
    }
  | {
      /** `filterDrafts` dropped a draft: it released the lease and rejected the draft. */
      readonly type: 'draftDropped';
      readonly draft: DraftProposal;
    }
  | {
      /** Creating, confirming or approving an agreement failed; `agreement` if one was created. */
      readonly type: 'agreementFailed';
      readonly draft: DraftProposal;
      readonly agreement: AgreementPort | undefined;
      readonly error: unknown;
    }
  | {
      /** Creating or starting an activity failed; `activity` if one was created. */
      readonly type: 'activityFailed';
      readonly agreement: AgreementPort;
      readonly activity: ActivityPort | undefined;
      readonly error: unknown;
    }
  | {
      /**
       * A best-effort cleanup call failed; the resource may be left for yagna to expire. A 404 or
       * 410 (the resource already gone) is not a failure and is not reported.
       */
      readonly type: 'cleanupFailed';
      readonly action: CleanupAction;
      readonly resourceId: string;
      readonly error: unknown;
    };

/**
 * Receives the {@link OperatorEvent}s of an operator. It must not throw: what it throws goes to the
 * operator's error channel, or, after the subscription has ended (a cleanup finishing late), to
 * RxJS's `config.onUnhandledError` (by default thrown asynchronously, as RxJS does).
 */
export type OnOperatorEvent = (event: OperatorEvent) => void;
