/**
 * Debit notes: issued by the simulated provider per activity (cumulative `totalAmountDue`),
 * received by the requestor, accepted by the rules of Real yagna (REQUESTOR-GUIDE §5.3).
 */
import { Decimal } from 'decimal.js';
import type { DebitNoteDto, DebitNoteEventDto } from 'golem-rx';
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

interface DebitNoteRecord {
  readonly dto: DebitNoteDto;
  readonly micros: number;
  readonly due: Decimal;
  readonly origin: DocumentOrigin;
}

/** What a provider puts on a debit note. */
export interface NewDebitNote {
  readonly origin: DocumentOrigin;
  readonly activityId: string;
  readonly totalDue: Decimal;
  readonly usage: readonly number[];
  readonly paymentDueMicros?: number;
}

/** The debit notes the requestor has received. */
export class DebitNoteBook extends DocumentBook<Undated<DebitNoteEventDto>> {
  private readonly notes = new Map<string, DebitNoteRecord>();
  private readonly lastByActivity = new Map<string, DebitNoteRecord>();
  /** Timestamp of the newest accepted debit note per activity (acceptance covers earlier ones). */
  private readonly acceptedUpTo = new Map<string, number>();

  /** The provider issues a debit note; the requestor receives it (`DebitNoteReceivedEvent`). */
  issue(input: NewDebitNote): DebitNoteDto {
    const micros = this.clock.stamp().micros;
    const previous = this.lastByActivity.get(input.activityId);
    const dto: DebitNoteDto = {
      debitNoteId: newUuid(this.ctx.random),
      ...documentHeader(this.ctx, input.origin, micros),
      activityId: input.activityId,
      totalAmountDue: wire(input.totalDue),
      usageCounterVector: [...input.usage],
      status: 'RECEIVED',
    };
    if (previous !== undefined) dto.previousDebitNoteId = previous.dto.debitNoteId;
    if (input.paymentDueMicros !== undefined) dto.paymentDueDate = formatMicros(input.paymentDueMicros);
    const record: DebitNoteRecord = { dto, micros, due: input.totalDue, origin: input.origin };
    this.notes.set(dto.debitNoteId, record);
    this.lastByActivity.set(input.activityId, record);
    this.events.append({ debitNoteId: dto.debitNoteId, eventType: 'DebitNoteReceivedEvent' }, input.origin);
    return { ...dto };
  }

  /** `GET /debitNotes/{id}` (404 `{"message":null}` when unknown). */
  get(id: string): DebitNoteDto {
    const record = knownDocument(this.notes, id);
    return { ...record.dto };
  }

  /** `GET /debitNotes`: received after the cursor, oldest first. */
  list(afterMicros: number | undefined, maxItems: number | undefined): DebitNoteDto[] {
    const all = [...this.notes.values()].filter((n) => afterMicros === undefined || n.micros > afterMicros);
    return all.slice(0, maxItems ?? all.length).map((n) => ({ ...n.dto }));
  }

  /**
   * `POST /debitNotes/{id}/accept`, Real order of checks: 404 unknown note; 400 amount ≠ due;
   * 200 if already accepted/settled; 400 unknown allocation, 410 released; 400 not enough funds.
   * Charges `due − accepted so far for the activity`.
   */
  accept(id: string, body: unknown): void {
    const record = knownDocument(this.notes, id);
    const acceptance = checkAcceptance(record.dto.status, body, record.due, 'Debit note cancelled');
    if (acceptance === undefined) return;
    const allocation = this.allocations.forAcceptance(acceptance.allocationId);
    const activityId = record.dto.activityId;
    const already = this.ledger.acceptedForActivity(activityId);
    const toPay = Decimal.max(record.due.minus(already), 0);
    if (toPay.gt(allocation.remaining))
      throw new DevnetHttpError(400, fundsMessage(allocation.remaining, toPay));
    this.allocations.charge(acceptance.allocationId, toPay);
    this.ledger.recordActivity(activityId, record.dto.agreementId, record.due);
    this.acceptedUpTo.set(activityId, Math.max(this.acceptedUpTo.get(activityId) ?? 0, record.micros));
    record.dto.status = 'ACCEPTED';
    this.events.append({ debitNoteId: id, eventType: 'DebitNoteAcceptedEvent' }, record.origin);
    if (record.dto.paymentDueDate === undefined) return;
    this.ledger.schedule(
      { ...paymentOrder(record, acceptance, allocation.address, toPay), activityId },
      () => {
        record.dto.status = 'SETTLED';
        this.events.append({ debitNoteId: id, eventType: 'DebitNoteSettledEvent' }, record.origin);
      },
    );
  }

  /** Has this note, or a later note of its activity, been accepted? */
  isCovered(id: string): boolean {
    const record = this.notes.get(id);
    if (record === undefined) return true;
    if (isAccepted(record.dto.status)) return true;
    return (this.acceptedUpTo.get(record.dto.activityId) ?? -1) >= record.micros;
  }

  /** The latest debit note of an activity. */
  latestOf(activityId: string): DebitNoteDto | undefined {
    const record = this.lastByActivity.get(activityId);
    return record === undefined ? undefined : { ...record.dto };
  }

  /** Counters for the stats page. */
  stats(): DocumentStats {
    const all = [...this.notes.values()];
    return {
      issued: all.length,
      accepted: all.filter((n) => isAccepted(n.dto.status)).length,
      amountDue: wire(sum([...this.lastByActivity.values()].map((n) => n.due))),
      amountAccepted: wire(this.ledger.totalAcceptedByDebitNotes()),
    };
  }
}
