/**
 * Payment objects as the client returns them: the wire DTOs with every amount as a `Decimal`,
 * and the inputs that accept `Decimal | string | number` amounts.
 */
import type { Decimal } from 'decimal.js';
import { fromOptionalWireAmount, fromWireAmount, type AmountInput } from './amounts.js';
import type {
  AllocationDto,
  DebitNoteDto,
  DebitNoteEventDto,
  DriverStatusPropertyDto,
  InvoiceDto,
  InvoiceEventDto,
  NewAllocationDto,
  PaymentDto,
  RejectionDto,
} from './types/index.js';

/** An `Allocation` with `Decimal` amounts (`remainingAmount = totalAmount − spentAmount`). */
export interface AllocationData extends Omit<
  AllocationDto,
  'totalAmount' | 'spentAmount' | 'remainingAmount'
> {
  totalAmount: Decimal;
  spentAmount: Decimal;
  remainingAmount: Decimal;
}

/** A `DebitNote` with `totalAmountDue` as a `Decimal` (cumulative for its activity). */
export interface DebitNoteData extends Omit<DebitNoteDto, 'totalAmountDue'> {
  totalAmountDue: Decimal;
}

/** An `Invoice` with `amount` as a `Decimal` (total for its agreement). */
export interface InvoiceData extends Omit<InvoiceDto, 'amount'> {
  amount: Decimal;
}

/** A `Payment` with every amount as a `Decimal`. */
export interface PaymentData extends Omit<PaymentDto, 'amount' | 'agreementPayments' | 'activityPayments'> {
  amount: Decimal;
  agreementPayments: { agreementId: string; amount: Decimal; allocationId?: string }[];
  activityPayments: { activityId: string; amount: Decimal; allocationId?: string }[];
}

/** A `DriverStatusProperty` with its estimates as `Decimal`s. */
export interface DriverStatusPropertyData extends Omit<
  DriverStatusPropertyDto,
  'neededGasEst' | 'neededTokenEst'
> {
  neededGasEst?: Decimal;
  neededTokenEst?: Decimal;
}

/** A `Rejection` as reported in events, with `totalAmountAccepted` as a `Decimal`. */
export interface RejectionData extends Omit<RejectionDto, 'totalAmountAccepted'> {
  totalAmountAccepted: Decimal;
}

type WithData<E> = E extends { rejection: RejectionDto }
  ? Omit<E, 'rejection'> & { rejection: RejectionData }
  : E extends { property: DriverStatusPropertyDto }
    ? Omit<E, 'property'> & { property: DriverStatusPropertyData }
    : E;

/** A debit-note event; `rejection` and `property` carry `Decimal` amounts. */
export type DebitNoteEventData = WithData<DebitNoteEventDto>;

/** An invoice event; `rejection` and `property` carry `Decimal` amounts. */
export type InvoiceEventData = WithData<InvoiceEventDto>;

/** Input of `createAllocation`: a `NewAllocation` whose `totalAmount` may be a `Decimal`, string or number; `timeout` may be a `Date`. */
export interface NewAllocation extends Omit<NewAllocationDto, 'totalAmount' | 'timeout'> {
  totalAmount: AmountInput;
  timeout?: string | Date;
}

/** Input of `amendAllocation`. */
export interface AllocationUpdate {
  totalAmount?: AmountInput;
  timeout?: string | Date;
}

/** Input of `acceptDebitNote` / `acceptInvoice`: the amount must equal the document's due amount. */
export interface Acceptance {
  totalAmountAccepted: AmountInput;
  allocationId: string;
}

/** Input of `rejectDebitNote` / `rejectInvoice` (Real yagna answers 501). */
export interface Rejection extends Omit<RejectionDto, 'totalAmountAccepted'> {
  totalAmountAccepted: AmountInput;
}

/** Converts an `Allocation` DTO. @throws {YagnaProtocolError} on a non-decimal amount */
export function toAllocationData(dto: AllocationDto, endpoint: string): AllocationData {
  return {
    ...dto,
    totalAmount: fromWireAmount(dto.totalAmount, 'totalAmount', endpoint),
    spentAmount: fromWireAmount(dto.spentAmount, 'spentAmount', endpoint),
    remainingAmount: fromWireAmount(dto.remainingAmount, 'remainingAmount', endpoint),
  };
}

/** Converts a `DebitNote` DTO. @throws {YagnaProtocolError} on a non-decimal amount */
export function toDebitNoteData(dto: DebitNoteDto, endpoint: string): DebitNoteData {
  return { ...dto, totalAmountDue: fromWireAmount(dto.totalAmountDue, 'totalAmountDue', endpoint) };
}

/** Converts an `Invoice` DTO. @throws {YagnaProtocolError} on a non-decimal amount */
export function toInvoiceData(dto: InvoiceDto, endpoint: string): InvoiceData {
  return { ...dto, amount: fromWireAmount(dto.amount, 'amount', endpoint) };
}

/** Converts a `Payment` DTO. @throws {YagnaProtocolError} on a non-decimal amount */
export function toPaymentData(dto: PaymentDto, endpoint: string): PaymentData {
  const share = <S extends { amount: string }>(s: S) => ({
    ...s,
    amount: fromWireAmount(s.amount, 'amount', endpoint),
  });
  return {
    ...dto,
    amount: fromWireAmount(dto.amount, 'amount', endpoint),
    agreementPayments: (dto.agreementPayments ?? []).map(share),
    activityPayments: (dto.activityPayments ?? []).map(share),
  };
}

/** Converts a `DriverStatusProperty` DTO (absent estimates stay absent). */
export function toDriverStatusPropertyData(
  dto: DriverStatusPropertyDto,
  endpoint: string,
): DriverStatusPropertyData {
  const { neededGasEst, neededTokenEst, ...rest } = dto;
  const gas = fromOptionalWireAmount(neededGasEst, 'neededGasEst', endpoint);
  const token = fromOptionalWireAmount(neededTokenEst, 'neededTokenEst', endpoint);
  return {
    ...rest,
    ...(gas === undefined ? {} : { neededGasEst: gas }),
    ...(token === undefined ? {} : { neededTokenEst: token }),
  };
}

/** Converts a debit-note or invoice event (only `rejection` and `property` carry amounts). */
export function toPaymentEventData<E extends DebitNoteEventDto | InvoiceEventDto>(
  event: E,
  endpoint: string,
): WithData<E> {
  const record = event as Record<string, unknown>;
  const out: Record<string, unknown> = { ...record };
  const rejection = record.rejection as RejectionDto | undefined;
  if (typeof rejection === 'object' && rejection !== null) {
    out.rejection = {
      ...rejection,
      totalAmountAccepted: fromWireAmount(
        rejection.totalAmountAccepted,
        'rejection.totalAmountAccepted',
        endpoint,
      ),
    };
  }
  const property = record.property as DriverStatusPropertyDto | undefined;
  if (typeof property === 'object' && property !== null)
    out.property = toDriverStatusPropertyData(property, endpoint);
  return out as WithData<E>;
}
