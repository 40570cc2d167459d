import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/**
 * The provider rejected our counter-proposal (yagna's `ProposalRejectedEvent`), so that
 * negotiation chain is over. An `OfferProposal.respond()` port errors with it; `negotiate`
 * treats it as a per-item failure: the slot frees and the next best proposal is countered.
 *
 * @example
 * ```ts
 * negotiate(4, { onEvent: (e) => e.type === 'counterFailed' && isProposalRejectedError(e.error) && log(e.error.reason) })
 * ```
 */
export class ProposalRejectedError extends GolemRxError {
  override readonly name = 'ProposalRejectedError' as const;
  /** The proposal we countered (the provider's offer). */
  readonly proposalId: string;
  /** The provider that rejected it. */
  readonly providerId: string;
  /** The provider's reason message, when it gave one. */
  readonly reason: string | undefined;
  /** `golem.proposal.rejection.is-final`: the provider will not take a new counter-proposal. */
  readonly isFinal: boolean;

  constructor(
    context: { proposalId: string; providerId: string; reason?: string; isFinal?: boolean },
    options?: { cause?: unknown },
  ) {
    super(
      `Provider ${context.providerId} rejected the counter-proposal to ${context.proposalId}` +
        (context.reason === undefined ? '' : `: ${context.reason}`),
      options,
    );
    this.proposalId = context.proposalId;
    this.providerId = context.providerId;
    this.reason = context.reason;
    this.isFinal = context.isFinal ?? false;
  }
}

/** Is `err` a {@link ProposalRejectedError} (by class, or by name across realms)? */
export const isProposalRejectedError = errorGuard(ProposalRejectedError, 'ProposalRejectedError');
