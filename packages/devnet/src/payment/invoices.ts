/**
 * Invoices: one per agreement, issued by the simulated provider after the agreement ends, for
 * the final cost of all its activities; accepted by the rules of Real yagna (REQUESTOR-GUIDE §5.4).
 */
import type { Decimal } from 'decimal.js';
import type { InvoiceDto, InvoiceEventDto } from 'golem-rx';
import { formatMicros } from '../clock.js';
import { DevnetHttpError } from '../errors/DevnetHttpError.js';
import { newUuid } from '../activity/common/ids.js';
import { sum, wire } from './amounts.js';
import {
  DocumentBook,
  checkAcceptance,
  documentHeader,
  fundsMessage,
  isAccepted,
  knownDocument,
  paymentOrder,
} from './documents.js';
import type { DocumentOrigin, DocumentStats } from './documents.js';
import type { Undated } from './eventLog.js';

interface InvoiceRecord {
  readonly dto: InvoiceDto;
  readonly micros: number;
  readonly amount: Decimal;
  readonly origin: DocumentOrigin;
}

/** What a provider puts on an invoice. */
export interface NewInvoice {
  readonly origin: DocumentOrigin;
  readonly activityIds: readonly string[];
  readonly amount: Decimal;
  readonly paymentDueMicros: number;
}

/** The invoices the requestor has received. */
export class InvoiceBook extends DocumentBook<Undated<InvoiceEventDto>> {
  private readonly invoices = new Map<string, InvoiceRecord>();

  /** The provider issues the invoice; the requestor receives it (`InvoiceReceivedEvent`). */
  issue(input: NewInvoice): InvoiceDto {
    const micros = this.clock.stamp().micros;
    const dto: InvoiceDto = {
      invoiceId: newUuid(this.ctx.random),
      ...documentHeader(this.ctx, input.origin, micros),
      activityIds: [...input.activityIds],
      amount: wire(input.amount),
      paymentDueDate: formatMicros(input.paymentDueMicros),
      status: 'RECEIVED',
    };
    this.invoices.set(dto.invoiceId, { dto, micros, amount: input.amount, origin: input.origin });
    this.events.append({ invoiceId: dto.invoiceId, eventType: 'InvoiceReceivedEvent' }, input.origin);
    return { ...dto, activityIds: [...dto.activityIds] };
  }

  /** `GET /invoices/{id}` (404 `{"message":null}` when unknown). */
  get(id: string): InvoiceDto {
    const record = knownDocument(this.invoices, id);
    return { ...record.dto, activityIds: [...record.dto.activityIds] };
  }

  /** `GET /invoices`: received after the cursor, oldest first. */
  list(afterMicros: number | undefined, maxItems: number | undefined): InvoiceDto[] {
    const all = [...this.invoices.values()].filter(
      (i) => afterMicros === undefined || i.micros > afterMicros,
    );
    return all
      .slice(0, maxItems ?? all.length)
      .map((i) => ({ ...i.dto, activityIds: [...i.dto.activityIds] }));
  }

  /** Has the provider invoiced this agreement? */
  hasInvoice(agreementId: string): boolean {
    return [...this.invoices.values()].some((i) => i.dto.agreementId === agreementId);
  }

  /**
   * `POST /invoices/{id}/accept`, Real order of checks: 404 unknown; 400 amount ≠ invoice amount;
   * 200 if already accepted/settled; 400 unknown allocation, 410 released; 400 when the invoice is
   * below what debit notes already accepted; 400 not enough funds. Charges `amount − accepted`.
   */
  accept(id: string, body: unknown): void {
    const record = knownDocument(this.invoices, id);
    const acceptance = checkAcceptance(record.dto.status, body, record.amount, 'Invoice cancelled');
    if (acceptance === undefined) return;
    const allocation = this.allocations.forAcceptance(acceptance.allocationId);
    const already = this.ledger.acceptedForAgreement(record.dto.agreementId);
    const toPay = record.amount.minus(already);
    if (toPay.lt(0)) {
      throw new DevnetHttpError(
        400,
        `Invoice amount ${wire(record.amount)} is lower than the amount already accepted for agreement ${record.dto.agreementId}: ${wire(already)}`,
      );
    }
    if (toPay.gt(allocation.remaining))
      throw new DevnetHttpError(400, fundsMessage(allocation.remaining, toPay));
    this.allocations.charge(acceptance.allocationId, toPay);
    record.dto.status = 'ACCEPTED';
    this.events.append({ invoiceId: id, eventType: 'InvoiceAcceptedEvent' }, record.origin);
    this.ledger.schedule(
      { ...paymentOrder(record, acceptance, allocation.address, toPay), agreementId: record.dto.agreementId },
      () => {
        record.dto.status = 'SETTLED';
        this.events.append({ invoiceId: id, eventType: 'InvoiceSettledEvent' }, record.origin);
      },
    );
  }

  /** Counters for the stats page. */
  stats(): DocumentStats {
    const all = [...this.invoices.values()];
    const accepted = all.filter((i) => isAccepted(i.dto.status));
    return {
      issued: all.length,
      accepted: accepted.length,
      amountDue: wire(sum(all.map((i) => i.amount))),
      amountAccepted: wire(sum(accepted.map((i) => i.amount))),
    };
  }
}
