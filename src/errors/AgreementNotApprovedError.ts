import { GolemRxError, errorGuard } from './GolemRxError.js';

/**
 * How an agreement ended without approval: the provider `Rejected` it, it was `Cancelled`, it
 * `Expired` (its `validTo` passed), or nobody decided within the approval timeout (`Timeout`).
 */
export type AgreementOutcome = 'Rejected' | 'Cancelled' | 'Expired' | 'Timeout';

/**
 * An agreement was not approved. `AgreementPort.waitForApproval()` errors with it (yagna's 410
 * `Rejected` / `Cancelled` / expired), and `createAgreement` raises it with outcome `Timeout` when
 * `approvalTimeout` passes. `createAgreement` treats it as a per-item failure: it cancels the
 * agreement when it can still be pending (outcome `Timeout`) and moves on to the next draft.
 */
export class AgreementNotApprovedError extends GolemRxError {
  override readonly name = 'AgreementNotApprovedError' as const;
  /** The agreement that was not approved. */
  readonly agreementId: string;
  /** Its provider. */
  readonly providerId: string;
  /** How it ended. */
  readonly outcome: AgreementOutcome;

  constructor(
    context: { agreementId: string; providerId: string; outcome: AgreementOutcome },
    options?: { cause?: unknown },
  ) {
    super(
      `Agreement ${context.agreementId} with ${context.providerId} was not approved: ${context.outcome}`,
      options,
    );
    this.agreementId = context.agreementId;
    this.providerId = context.providerId;
    this.outcome = context.outcome;
  }
}

/** Is `err` an {@link AgreementNotApprovedError} (by class, or by name across realms)? */
export const isAgreementNotApprovedError = errorGuard(AgreementNotApprovedError, 'AgreementNotApprovedError');
