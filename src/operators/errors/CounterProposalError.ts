import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/**
 * The `respond` function given to `negotiate(n, { respond })` threw while building the
 * counter-proposal for a proposal. It travels `negotiate`'s error channel (a broken strategy is a
 * bug, not a market event); what the function threw is the `cause`.
 */
export class CounterProposalError extends GolemRxError {
  override readonly name = 'CounterProposalError' as const;
  /** The proposal the counter-proposal was for. */
  readonly proposalId: string;
  /** Its provider. */
  readonly providerId: string;

  constructor(context: { proposalId: string; providerId: string }, options?: { cause?: unknown }) {
    super(
      `The respond function failed to build a counter-proposal to ${context.proposalId} from ${context.providerId}`,
      options,
    );
    this.proposalId = context.proposalId;
    this.providerId = context.providerId;
  }
}

/** Is `err` a {@link CounterProposalError} (by class, or by name across realms)? */
export const isCounterProposalError = errorGuard(CounterProposalError, 'CounterProposalError');
