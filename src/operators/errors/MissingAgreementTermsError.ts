import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/**
 * `acceptPayments` could not check a debit note or an invoice because the `agreementTerms()` of its
 * port completed without the agreement's terms. The document is reported as a `failed` payment
 * event with this error, and is not accepted.
 *
 * @example
 * ```ts
 * if (event.kind === 'failed' && isMissingAgreementTermsError(event.error)) console.warn(event.error.agreementId);
 * ```
 */
export class MissingAgreementTermsError extends GolemRxError {
  override readonly name = 'MissingAgreementTermsError' as const;
  /** The agreement whose terms are missing. */
  readonly agreementId: string;
  /** The document that was being checked. */
  readonly documentId: string;

  constructor(context: { agreementId: string; documentId: string }, options?: { cause?: unknown }) {
    super(
      `The terms of agreement ${context.agreementId} (billed by ${context.documentId}) could not be read`,
      options,
    );
    this.agreementId = context.agreementId;
    this.documentId = context.documentId;
  }
}

/** Is `err` a {@link MissingAgreementTermsError} (by class, or by name across realms)? */
export const isMissingAgreementTermsError = errorGuard(
  MissingAgreementTermsError,
  'MissingAgreementTermsError',
);
