/**
 * Invoices: one per agreement, issued by the simulated provider after the agreement ends, for
 * the final cost of all its activities; accepted by the rules of Real yagna (REQUESTOR-GUIDE §5.4).
 */
import type { Decimal } from 'decimal.js';
import type { InvoiceDto, InvoiceEventDto } from '../../api/types/index.js';
import type { DevnetContext } from '../contracts.js';
import { formatMicros } from '../clock.js';
import type { DevnetClock } from '../clock.js';
import { DevnetHttpError } from '../errors/DevnetHttpError.js';
import { nullMessageError } from '../activity/common/http.js';
import { newUuid } from '../activity/common/ids.js';
import type { AllocationBook } from './allocations.js';
import { sum, wire } from './amounts.js';
import { fundsMessage } from './documents.js';
import type { DocumentOrigin, DocumentStats } from './documents.js';
import { PaymentEventLog } from './eventLog.js';
import type { Undated } from './eventLog.js';
import { parseAcceptance } from './ledger.js';
import type { PaymentLedger } from './ledger.js';

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
export class InvoiceBook {
  private readonly invoices = new Map<string, InvoiceRecord>();
  /** `/invoiceEvents` */
  readonly events: PaymentEventLog<Undated<InvoiceEventDto>>;

  constructor(
    private readonly ctx: DevnetContext,
    private readonly clock: DevnetClock,
    private readonly allocations: AllocationBook,
    private readonly ledger: PaymentLedger,
  ) {
    this.events = new PaymentEventLog(ctx, clock);
  }

  /** The provider issues the invoice; the requestor receives it (`InvoiceReceivedEvent`). */
  issue(input: NewInvoice): InvoiceDto {
    const micros = this.clock.stamp().micros;
    const dto: InvoiceDto = {
      invoiceId: newUuid(this.ctx.random),
      issuerId: input.origin.provider.id,
      recipientId: this.ctx.requestorId,
      payeeAddr: input.origin.payeeAddr,
      payerAddr: this.ctx.requestorId,
      paymentPlatform: input.origin.platform,
      timestamp: formatMicros(micros),
      agreementId: input.origin.agreementId,
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
    const record = this.invoices.get(id);
    if (record === undefined) throw nullMessageError(404);
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
    const record = this.invoices.get(id);
    if (record === undefined) throw nullMessageError(404);
    const acceptance = parseAcceptance(body);
    if (!acceptance.amount.eq(record.amount)) throw new DevnetHttpError(400, 'Invalid amount accepted');
    const status = record.dto.status;
    if (status === 'ACCEPTED' || status === 'SETTLED') return;
    if (status === 'CANCELLED') throw new DevnetHttpError(400, 'Invoice cancelled');
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
      {
        providerId: record.origin.provider.id,
        payeeAddr: record.dto.payeeAddr,
        payerAddr: allocation.address,
        platform: record.dto.paymentPlatform,
        amount: toPay,
        allocationId: acceptance.allocationId,
        appSessionId: record.origin.appSessionId,
        agreementId: record.dto.agreementId,
      },
      () => {
        record.dto.status = 'SETTLED';
        this.events.append({ invoiceId: id, eventType: 'InvoiceSettledEvent' }, record.origin);
      },
    );
  }

  /** Counters for the stats page. */
  stats(): DocumentStats {
    const all = [...this.invoices.values()];
    const accepted = all.filter((i) => i.dto.status === 'ACCEPTED' || i.dto.status === 'SETTLED');
    return {
      issued: all.length,
      accepted: accepted.length,
      amountDue: wire(sum(all.map((i) => i.amount))),
      amountAccepted: wire(sum(accepted.map((i) => i.amount))),
    };
  }
}
