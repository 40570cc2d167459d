/**
 * Shared shapes of devnet's payment documents (debit notes and invoices), and the steps their
 * books take alike.
 */
import type { Decimal } from 'decimal.js';
import type { DebitNoteDto, DocumentStatus } from 'golem-rx';
import type { DevnetContext } from '../contracts.js';
import { formatMicros } from '../clock.js';
import type { DevnetClock } from '../clock.js';
import { DevnetHttpError } from '../errors/DevnetHttpError.js';
import { nullMessageError } from '../activity/common/http.js';
import type { AllocationBook } from './allocations.js';
import { PaymentEventLog } from './eventLog.js';
import { parseAcceptance } from './ledger.js';
import type { Acceptance, PaymentLedger, PaymentOrder } from './ledger.js';

/** The agreement-level facts a provider writes on every document. */
export interface DocumentOrigin {
  readonly agreementId: string;
  readonly provider: { id: string; name: string };
  readonly appSessionId?: string;
  readonly platform: string;
  readonly payeeAddr: string;
}

/** Amounts for the stats page. */
export interface DocumentStats {
  readonly issued: number;
  readonly accepted: number;
  /** Σ due: latest debit note per activity, or every invoice. */
  readonly amountDue: string;
  readonly amountAccepted: string;
}

/** The `Not enough funds` check of acceptance (Real message). */
export function fundsMessage(remaining: Decimal, needed: Decimal): string {
  return `Not enough funds. Allocated: ${remaining.toFixed()} Needed: ${needed.toFixed()}`;
}

/** The fields every document DTO carries alike (debit note and invoice). */
export type DocumentHeader = Pick<
  DebitNoteDto,
  'issuerId' | 'recipientId' | 'payeeAddr' | 'payerAddr' | 'paymentPlatform' | 'timestamp' | 'agreementId'
>;

/**
 * The header a provider writes on a new document: issuer, recipient, addresses, platform, issue
 * time and agreement (in the DTOs' field order).
 * @param ctx the devnet (the requestor's id)
 * @param origin the agreement-level facts
 * @param micros the issue time
 */
export function documentHeader(ctx: DevnetContext, origin: DocumentOrigin, micros: number): DocumentHeader {
  return {
    issuerId: origin.provider.id,
    recipientId: ctx.requestorId,
    payeeAddr: origin.payeeAddr,
    payerAddr: ctx.requestorId,
    paymentPlatform: origin.platform,
    timestamp: formatMicros(micros),
    agreementId: origin.agreementId,
  };
}

/** Has the document been accepted (`ACCEPTED`, or `SETTLED` since)? */
export function isAccepted(status: DocumentStatus): boolean {
  return status === 'ACCEPTED' || status === 'SETTLED';
}

/**
 * The document with this id, or 404 `{"message":null}` (Real) when there is none.
 * @param documents the book's documents by id
 * @param id the requested id
 */
export function knownDocument<R>(documents: ReadonlyMap<string, R>, id: string): R {
  const record = documents.get(id);
  if (record === undefined) throw nullMessageError(404);
  return record;
}

/**
 * The checks of `POST /…/{id}/accept` that debit notes and invoices share, in Real order after
 * the 404: 400 when the amount accepted ≠ `due`; nothing to do (200) when already accepted or
 * settled; 400 `cancelledMessage` when cancelled.
 * @param status the document's status
 * @param body the request body (an `Acceptance`; 400 when malformed)
 * @param due the amount the document asks for
 * @param cancelledMessage the message of the 400 for a cancelled document
 * @returns the parsed acceptance, or `undefined` when the document was accepted already
 */
export function checkAcceptance(
  status: DocumentStatus,
  body: unknown,
  due: Decimal,
  cancelledMessage: string,
): Acceptance | undefined {
  const acceptance = parseAcceptance(body);
  if (!acceptance.amount.eq(due)) throw new DevnetHttpError(400, 'Invalid amount accepted');
  if (isAccepted(status)) return undefined;
  if (status === 'CANCELLED') throw new DevnetHttpError(400, cancelledMessage);
  return acceptance;
}

/**
 * The payment an accepted document orders: from `payerAddr` (the allocation's address) to the
 * document's payee, on its platform, for the provider and session it came from.
 * @param document the accepted document's DTO and origin
 * @param acceptance the parsed acceptance (its allocation)
 * @param payerAddr the allocation's address
 * @param amount what is to be paid
 */
export function paymentOrder(
  document: {
    readonly dto: Pick<DocumentHeader, 'payeeAddr' | 'paymentPlatform'>;
    readonly origin: DocumentOrigin;
  },
  acceptance: Acceptance,
  payerAddr: string,
  amount: Decimal,
): PaymentOrder {
  return {
    providerId: document.origin.provider.id,
    payeeAddr: document.dto.payeeAddr,
    payerAddr,
    platform: document.dto.paymentPlatform,
    amount,
    allocationId: acceptance.allocationId,
    appSessionId: document.origin.appSessionId,
  };
}

/**
 * What a book of payment documents (debit notes, invoices) works with: the devnet, its clock,
 * the allocations it charges, the ledger it pays through, and its own event log.
 */
export abstract class DocumentBook<E extends { eventType: string }> {
  /** The book's event log (`/debitNoteEvents`, `/invoiceEvents`). */
  readonly events: PaymentEventLog<E>;

  /**
   * @param ctx the devnet (ids, randomness, the requestor)
   * @param clock the devnet clock (issue times, event dates)
   * @param allocations the allocations acceptances charge
   * @param ledger what has been accepted and paid
   */
  constructor(
    protected readonly ctx: DevnetContext,
    protected readonly clock: DevnetClock,
    protected readonly allocations: AllocationBook,
    protected readonly ledger: PaymentLedger,
  ) {
    this.events = new PaymentEventLog(ctx, clock);
  }
}
