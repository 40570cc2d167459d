/** Payment API wire types (`/payment-api/v1`). Amounts are decimal strings. */
import type { DecimalString, Timestamp } from './common.js';

/** `paymentPlatform` in a NewAllocation: a `driver-network-token` string or an object (any subset). */
export type PaymentPlatformDto = string | { driver?: string; network?: string; token?: string };

/** `NewAllocation`: the body of `POST /allocations`. */
export interface NewAllocationDto {
  totalAmount: DecimalString;
  paymentPlatform?: PaymentPlatformDto;
  address?: string;
  timeout?: Timestamp;
  makeDeposit?: boolean;
  extendTimeout?: number;
  deposit?: { id: string; contract: string; validate?: Record<string, unknown> };
}

/** `Allocation` */
export interface AllocationDto {
  allocationId: string;
  address: string;
  paymentPlatform: string;
  totalAmount: DecimalString;
  spentAmount: DecimalString;
  remainingAmount: DecimalString;
  timestamp: Timestamp;
  timeout?: Timestamp;
  createdTs?: Timestamp;
  updatedTs?: Timestamp;
  makeDeposit: boolean;
  extendTimeout?: number;
  deposit?: { id: string; contract: string; validate?: Record<string, unknown> };
}

/** `AllocationUpdate`: the body of `PUT /allocations/{id}`. */
export interface AllocationUpdateDto {
  totalAmount?: DecimalString;
  timeout?: Timestamp;
  deposit?: { validate?: Record<string, unknown> };
}

/** `MarketDecoration` from `GET /demandDecorations`. */
export interface MarketDecorationDto {
  properties: { key: string; value: string }[];
  constraints: string[];
}

/** `Account` from `GET /requestorAccounts`. */
export interface AccountDto {
  platform: string;
  address: string;
  driver: string;
  network: string;
  token: string;
  send: boolean;
  receive: boolean;
}

export type DocumentStatus =
  'ISSUED' | 'RECEIVED' | 'ACCEPTED' | 'REJECTED' | 'FAILED' | 'SETTLED' | 'CANCELLED';

/** `DebitNote`: cumulative per activity. */
export interface DebitNoteDto {
  debitNoteId: string;
  issuerId: string;
  recipientId: string;
  payeeAddr: string;
  payerAddr: string;
  paymentPlatform: string;
  previousDebitNoteId?: string;
  timestamp: Timestamp;
  agreementId: string;
  activityId: string;
  totalAmountDue: DecimalString;
  usageCounterVector?: number[];
  paymentDueDate?: Timestamp;
  status: DocumentStatus;
}

/** `Invoice`: per agreement, issued after termination. */
export interface InvoiceDto {
  invoiceId: string;
  issuerId: string;
  recipientId: string;
  payeeAddr: string;
  payerAddr: string;
  paymentPlatform: string;
  timestamp: Timestamp;
  agreementId: string;
  activityIds: string[];
  amount: DecimalString;
  paymentDueDate: Timestamp;
  status: DocumentStatus;
}

/** `Acceptance`: the body of accept debit note / invoice. */
export interface AcceptanceDto {
  totalAmountAccepted: DecimalString;
  allocationId: string;
}

export type RejectionReason = 'UNSOLICITED_SERVICE' | 'BAD_SERVICE' | 'INCORRECT_AMOUNT';

/** `Rejection`: the body of reject (Real yagna answers 501). */
export interface RejectionDto {
  rejectionReason: RejectionReason;
  totalAmountAccepted: DecimalString;
  message?: string;
}

export interface DriverStatusPropertyDto {
  driver: string;
  kind: string;
  network: string;
  address?: string;
  neededGasEst?: DecimalString;
  neededTokenEst?: DecimalString;
}

type DebitNoteEventKind =
  | 'DebitNoteReceivedEvent'
  | 'DebitNoteAcceptedEvent'
  | 'DebitNoteCancelledEvent'
  | 'DebitNoteSettledEvent'
  | 'DebitNotePaymentOkEvent';

/** One event of `GET /debitNoteEvents`. */
export type DebitNoteEventDto =
  | { debitNoteId: string; eventDate: Timestamp; eventType: DebitNoteEventKind }
  | {
      debitNoteId: string;
      eventDate: Timestamp;
      eventType: 'DebitNoteRejectedEvent';
      rejection: RejectionDto;
    }
  | {
      debitNoteId: string;
      eventDate: Timestamp;
      eventType: 'DebitNotePaymentStatusEvent';
      property: DriverStatusPropertyDto;
    };

type InvoiceEventKind =
  | 'InvoiceReceivedEvent'
  | 'InvoiceAcceptedEvent'
  | 'InvoiceCancelledEvent'
  | 'InvoiceSettledEvent'
  | 'InvoicePaymentOkEvent';

/** One event of `GET /invoiceEvents`. */
export type InvoiceEventDto =
  | { invoiceId: string; eventDate: Timestamp; eventType: InvoiceEventKind }
  | { invoiceId: string; eventDate: Timestamp; eventType: 'InvoiceRejectedEvent'; rejection: RejectionDto }
  | {
      invoiceId: string;
      eventDate: Timestamp;
      eventType: 'InvoicePaymentStatusEvent';
      property: DriverStatusPropertyDto;
    };

/** `Payment` from `GET /payments`. */
export interface PaymentDto {
  paymentId: string;
  payerId: string;
  payeeId: string;
  payerAddr: string;
  payeeAddr: string;
  paymentPlatform: string;
  amount: DecimalString;
  timestamp: Timestamp;
  agreementPayments: { agreementId: string; amount: DecimalString; allocationId?: string }[];
  activityPayments: { activityId: string; amount: DecimalString; allocationId?: string }[];
  details: string;
}
