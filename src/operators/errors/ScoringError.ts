import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/**
 * The scoring function given to `score(fn)` threw, or the Promise / Observable it returned
 * errored. It travels `score`'s error channel (a broken strategy is a bug, not a market event);
 * what the function threw is the `cause`.
 */
export class ScoringError extends GolemRxError {
  override readonly name = 'ScoringError' as const;
  /** The proposal that was being scored. */
  readonly proposalId: string;
  /** Its provider. */
  readonly providerId: string;

  constructor(context: { proposalId: string; providerId: string }, options?: { cause?: unknown }) {
    super(
      `The scoring function failed on proposal ${context.proposalId} from ${context.providerId}`,
      options,
    );
    this.proposalId = context.proposalId;
    this.providerId = context.providerId;
  }
}

/** Is `err` a {@link ScoringError} (by class, or by name across realms)? */
export const isScoringError = errorGuard(ScoringError, 'ScoringError');
