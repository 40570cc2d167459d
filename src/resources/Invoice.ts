import type { Decimal } from 'decimal.js';
import { type Observable, defer } from 'rxjs';
import type { AmountInput, InvoiceData, InvoiceEventData } from '../api/index.js';
import type { CallResult } from '../rx/fromCall.js';
import { type Action, action } from './Action.js';
import type { Agreement } from './Agreement.js';
import type { AgreementTerms } from './Agreement.js';
import type { Allocation } from './Allocation.js';
import { type DocumentRejection, acceptDocument, activityUsageOf, rejectDocument } from './internals.js';
import { Resource } from './Resource.js';
import { retryAccept } from './retryTransient.js';

/**
 * The provider's bill for one agreement, issued after it was terminated. Arrives on
 * `node.invoices$` / `agreement.invoice$`; by id with `node.invoice(id)`. Its parent is its
 * agreement (once its data is known). Data: `InvoiceData` (`amount` as `Decimal`); events: the
 * raw invoice events.
 *
 * @example
 * ```ts
 * const invoice = await firstValueFrom(agreement.invoice$);
 * await invoice.accept(allocation); // accepts the full amount
 * ```
 */
export class Invoice extends Resource<InvoiceData, InvoiceEventData> {
  /** The resource kind on the bus. */
  static readonly kind = 'Invoice';
  readonly kind = 'Invoice';

  protected fetchData(signal: AbortSignal): CallResult<InvoiceData> {
    return this.node.api.payment.getInvoice(this.id, { signal });
  }

  /** The agreement it bills (`undefined` until its data is known). */
  override get parent(): Agreement | undefined {
    return super.parent as Agreement | undefined;
  }

  /** The amount due (needs data). */
  get amount(): Decimal {
    return this.data.amount;
  }

  /** The agreement it bills (needs data). */
  get agreementId(): string {
    return this.data.agreementId;
  }

  /** The activities it covers (needs data). */
  get activityIds(): readonly string[] {
    return this.data.activityIds;
  }

  /**
   * The billed agreement's terms (offer properties, approval time), read afresh: what
   * `acceptPayments` checks the amount against. Cold; one value.
   */
  agreementTerms(): Observable<AgreementTerms> {
    return defer(() => this.node.agreement(this.agreementId).terms$());
  }

  /**
   * Accepts the invoice against `allocation` (`POST /invoices/{id}/accept`). yagna requires the
   * accepted amount to equal the invoice's `amount`, which is the default (fetched if not cached).
   * A transient failure (5xx, 408, 429, the network) is retried with backoff on the node's
   * scheduler (`closeRetries` times); should a retry meet a 400/409, the invoice is read again
   * and the accept counts as done when it is `ACCEPTED`/`SETTLED` for this amount.
   * Emits `ResourceChangePossible` for the invoice and the allocation on success.
   *
   * @param allocation the allocation to pay from
   * @param amount the amount to accept
   * @returns a cold, awaitable {@link Action} that completes when yagna accepted it
   */
  accept(allocation: Allocation, amount?: AmountInput): Action<void> {
    const once$ = acceptDocument(
      this,
      allocation,
      amount,
      () => this.data.amount,
      (acceptance, signal) => this.node.api.payment.acceptInvoice(this.id, acceptance, {}, { signal }),
    );
    return action(retryAccept(this, allocation, amount, (data) => data.amount, once$));
  }
  /**
   * The current usage counters of `activityId` (`GET /activity/{id}/usage`), or `undefined`
   * when yagna does not know the activity or reports none: the usage `acceptPayments` prices
   * this invoice against (its `activityUsage` port). Cold; one value.
   */
  activityUsage(activityId: string): Observable<readonly number[] | undefined> {
    return activityUsageOf(this.node, activityId);
  }

  /**
   * Rejects the invoice (`POST …/reject`), saying what was accepted instead and why. Real yagna
   * answers 501 (`YagnaNotImplementedError`), so a refusal is mostly recorded on our side; the
   * `reject` port of `acceptPayments`. Not retried.
   *
   * @param rejection the reason (`INCORRECT_AMOUNT`), the amount accepted, a message
   * @returns a cold, awaitable {@link Action} that completes when yagna took the rejection
   */
  reject(rejection: DocumentRejection): Action<void> {
    return rejectDocument(this, rejection, (wire, signal) =>
      this.node.api.payment.rejectInvoice(this.id, wire, {}, { signal }),
    );
  }
}
