import type { Decimal } from 'decimal.js';
import { type Observable, defer } from 'rxjs';
import type { AmountInput, InvoiceData, InvoiceEventData } from '../api/index.js';
import type { Action, CallResult } from './Action.js';
import type { Agreement } from './Agreement.js';
import type { AgreementTerms } from './Agreement.js';
import type { Allocation } from './Allocation.js';
import { acceptDocument } from './internals.js';
import { Resource } from './Resource.js';

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
   * Emits `ResourceChangePossible` for the invoice and the allocation on success.
   *
   * @param allocation the allocation to pay from
   * @param amount the amount to accept
   * @returns a cold, awaitable {@link Action} that completes when yagna accepted it
   */
  accept(allocation: Allocation, amount?: AmountInput): Action<void> {
    return acceptDocument(
      this,
      allocation,
      amount,
      () => this.data.amount,
      (acceptance, signal) => this.node.api.payment.acceptInvoice(this.id, acceptance, {}, { signal }),
    );
  }
}
