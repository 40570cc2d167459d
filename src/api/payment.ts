/**
 * Payment API (`/payment-api/v1`), requestor side: P1–P17 (REQUESTOR-GUIDE §5). Amounts come back
 * as `Decimal` and go out as decimal strings (see paymentData.ts).
 */
import { toWireAmount } from './amounts.js';
import type { CallOptions, RetryPolicy, YagnaHttp, YagnaRequest } from './http.js';
import { DEFAULT_POLL_TIMEOUT_SEC } from './market.js';
import { asArray, asObject, endpointOf, toSeconds, toTimestamp } from './parse.js';
import {
  toAllocationData,
  toDebitNoteData,
  toDriverStatusPropertyData,
  toInvoiceData,
  toPaymentData,
  toPaymentEventData,
  type Acceptance,
  type AllocationData,
  type AllocationUpdate,
  type DebitNoteData,
  type DebitNoteEventData,
  type DriverStatusPropertyData,
  type InvoiceData,
  type InvoiceEventData,
  type NewAllocation,
  type PaymentData,
  type Rejection,
} from './paymentData.js';
import type {
  AccountDto,
  AllocationDto,
  DebitNoteDto,
  DebitNoteEventDto,
  DriverStatusPropertyDto,
  InvoiceDto,
  InvoiceEventDto,
  MarketDecorationDto,
  PaymentDto,
} from './types/index.js';

/** Kinds a requestor may ask for in payment events (header `X-Requestor-Events`). */
export type PaymentEventKind =
  'RECEIVED' | 'ACCEPTED' | 'REJECTED' | 'CANCELLED' | 'SETTLED' | 'PAYMENT_EVENT' | 'PAYMENT_OK';

/** Query of list calls (`getAllocations`, `getDebitNotes`, `getInvoices`). */
export interface ListParams {
  afterTimestamp?: string | Date;
  maxItems?: number;
}

/** Query of the payment-event long-polls (persistent log + cursor). */
export interface PaymentEventParams {
  /** Server-side wait in seconds. @default 5 */
  timeout?: number;
  /** The cursor: only events strictly after it. */
  afterTimestamp?: string | Date;
  /** Cap per answer (Real: none by default). */
  maxEvents?: number;
  /** Only agreements confirmed with this session id. */
  appSessionId?: string;
  /** Kinds to receive (Real default for a requestor: `RECEIVED`, `CANCELLED`); sent as `X-Requestor-Events`. */
  requestorEvents?: readonly PaymentEventKind[];
}

/** Query of {@link PaymentApi.getPayments}. */
export interface GetPaymentsParams extends Omit<PaymentEventParams, 'requestorEvents'> {
  network?: string;
  driver?: string;
}

/** Ack wait of accept/reject calls. */
export interface AckParams {
  /** Server-side ack timeout in seconds (Real default 15; 504 `YagnaTimeoutError` when it elapses). */
  timeout?: number;
}

/** The requestor's payment functions. Each takes {@link CallOptions} last (`signal`, `timeoutMs`). */
export interface PaymentApi {
  /** P1 `POST /allocations`: reserves funds. Never retried. */
  createAllocation(allocation: NewAllocation, options?: CallOptions): Promise<AllocationData>;
  /** P2 `GET /allocations`: active allocations. */
  getAllocations(params?: ListParams, options?: CallOptions): Promise<AllocationData[]>;
  /** P3 `GET /allocations/{allocationId}` (410 `YagnaGoneError` once released). */
  getAllocation(allocationId: string, options?: CallOptions): Promise<AllocationData>;
  /** P4 `PUT /allocations/{allocationId}`: new total and/or timeout. Retried (idempotent). */
  amendAllocation(
    allocationId: string,
    update: AllocationUpdate,
    options?: CallOptions,
  ): Promise<AllocationData>;
  /** P5 `DELETE /allocations/{allocationId}` (a second release: 410 `YagnaGoneError`). */
  releaseAllocation(allocationId: string, options?: CallOptions): Promise<void>;
  /** P6 `GET /demandDecorations?allocationIds=a,b`: properties and constraints to merge into a demand. */
  getDemandDecorations(allocationIds: readonly string[], options?: CallOptions): Promise<MarketDecorationDto>;
  /** P7 `GET /requestorAccounts`. */
  getRequestorAccounts(options?: CallOptions): Promise<AccountDto[]>;
  /** P8 `GET /debitNotes`. */
  getDebitNotes(params?: ListParams, options?: CallOptions): Promise<DebitNoteData[]>;
  /** P8 `GET /debitNotes/{debitNoteId}`. */
  getDebitNote(debitNoteId: string, options?: CallOptions): Promise<DebitNoteData>;
  /** P9 `POST /debitNotes/{debitNoteId}/accept`; the amount must equal `totalAmountDue`. Never retried. */
  acceptDebitNote(
    debitNoteId: string,
    acceptance: Acceptance,
    params?: AckParams,
    options?: CallOptions,
  ): Promise<void>;
  /** P10 `POST /debitNotes/{debitNoteId}/reject` (Real: 501 `YagnaNotImplementedError`). Never retried. */
  rejectDebitNote(
    debitNoteId: string,
    rejection: Rejection,
    params?: AckParams,
    options?: CallOptions,
  ): Promise<void>;
  /** P11 `GET /debitNoteEvents` (long-poll, persistent log). Not retried: the sources layer owns the cursor. */
  getDebitNoteEvents(params?: PaymentEventParams, options?: CallOptions): Promise<DebitNoteEventData[]>;
  /** P12 `GET /invoices`. */
  getInvoices(params?: ListParams, options?: CallOptions): Promise<InvoiceData[]>;
  /** P12 `GET /invoices/{invoiceId}`. */
  getInvoice(invoiceId: string, options?: CallOptions): Promise<InvoiceData>;
  /** P13 `POST /invoices/{invoiceId}/accept`; the amount must equal the invoice `amount`. Never retried. */
  acceptInvoice(
    invoiceId: string,
    acceptance: Acceptance,
    params?: AckParams,
    options?: CallOptions,
  ): Promise<void>;
  /** P14 `POST /invoices/{invoiceId}/reject` (Real: 501 `YagnaNotImplementedError`). Never retried. */
  rejectInvoice(
    invoiceId: string,
    rejection: Rejection,
    params?: AckParams,
    options?: CallOptions,
  ): Promise<void>;
  /** P15 `GET /invoiceEvents` (long-poll, persistent log). Not retried. */
  getInvoiceEvents(params?: PaymentEventParams, options?: CallOptions): Promise<InvoiceEventData[]>;
  /** P16 `GET /payments` (long-poll, persistent log). Not retried. */
  getPayments(params?: GetPaymentsParams, options?: CallOptions): Promise<PaymentData[]>;
  /** P16 `GET /payments/{paymentId}`. */
  getPayment(paymentId: string, options?: CallOptions): Promise<PaymentData>;
  /** P17 `GET /payments/status`: actionable driver problems (missing gas or tokens…). */
  paymentsStatus(
    params?: { network?: string; driver?: string },
    options?: CallOptions,
  ): Promise<DriverStatusPropertyData[]>;
}

function request(
  method: YagnaRequest['method'],
  path: string,
  retry: RetryPolicy,
  extra: Partial<Omit<YagnaRequest, 'api' | 'method' | 'path' | 'retry'>> = {},
): YagnaRequest {
  return { api: 'payment', method, path, retry, ...extra };
}

/**
 * Builds the payment functions over a transport.
 * @param http the transport (see {@link createYagnaHttp})
 * @returns the payment group of {@link createYagnaApi}
 */
export function createPaymentApi(http: YagnaHttp): PaymentApi {
  async function fetchObject<D, R>(
    req: YagnaRequest,
    convert: (dto: D, endpoint: string) => R,
    options?: CallOptions,
  ) {
    return convert(asObject<D>(await http.call(req, options), req), endpointOf(req));
  }
  async function fetchList<D, R>(
    req: YagnaRequest,
    convert: (dto: D, endpoint: string) => R,
    options?: CallOptions,
  ) {
    const endpoint = endpointOf(req);
    return asArray<D>(await http.call(req, options), req).map((dto) => convert(dto, endpoint));
  }
  const list = (path: string, params: ListParams = {}) =>
    request('GET', path, 'idempotent', {
      query: { afterTimestamp: toTimestamp(params.afterTimestamp), maxItems: params.maxItems },
    });
  const events = (
    path: string,
    params: PaymentEventParams | GetPaymentsParams,
    extra: Record<string, string | undefined> = {},
    kinds?: readonly PaymentEventKind[],
  ) => {
    const timeout = toSeconds(params.timeout) ?? DEFAULT_POLL_TIMEOUT_SEC;
    return request('GET', path, 'never', {
      query: {
        timeout,
        afterTimestamp: toTimestamp(params.afterTimestamp),
        maxEvents: params.maxEvents,
        appSessionId: params.appSessionId,
        ...extra,
      },
      headers: kinds === undefined ? undefined : { 'x-requestor-events': kinds.join(',') },
      serverTimeoutSec: timeout,
    });
  };
  const decide = async (
    path: string,
    params: Record<string, string>,
    body: unknown,
    ack: AckParams,
    options: CallOptions | undefined,
  ): Promise<void> => {
    const timeout = toSeconds(ack.timeout);
    await http.call(
      request('POST', path, 'never', {
        params,
        body,
        query: { timeout },
        serverTimeoutSec: timeout,
        expect: 'none',
      }),
      options,
    );
  };
  const acceptance = (a: Acceptance) => ({
    totalAmountAccepted: toWireAmount(a.totalAmountAccepted, 'totalAmountAccepted'),
    allocationId: a.allocationId,
  });
  const rejection = (r: Rejection) => ({
    ...r,
    totalAmountAccepted: toWireAmount(r.totalAmountAccepted, 'totalAmountAccepted'),
  });

  return {
    async createAllocation(allocation, options) {
      const body = {
        ...allocation,
        totalAmount: toWireAmount(allocation.totalAmount, 'totalAmount'),
        timeout: toTimestamp(allocation.timeout),
      };
      return fetchObject<AllocationDto, AllocationData>(
        request('POST', '/allocations', 'never', { body }),
        toAllocationData,
        options,
      );
    },
    getAllocations: async (params, options) =>
      fetchList(list('/allocations', params), toAllocationData, options),
    getAllocation: async (allocationId, options) =>
      fetchObject(
        request('GET', '/allocations/{allocationId}', 'idempotent', { params: { allocationId } }),
        toAllocationData,
        options,
      ),
    async amendAllocation(allocationId, update, options) {
      const body = {
        ...(update.totalAmount === undefined
          ? {}
          : { totalAmount: toWireAmount(update.totalAmount, 'totalAmount') }),
        ...(update.timeout === undefined ? {} : { timeout: toTimestamp(update.timeout) }),
      };
      return fetchObject(
        request('PUT', '/allocations/{allocationId}', 'idempotent', { params: { allocationId }, body }),
        toAllocationData,
        options,
      );
    },
    async releaseAllocation(allocationId, options) {
      await http.call(
        request('DELETE', '/allocations/{allocationId}', 'idempotent', {
          params: { allocationId },
          expect: 'none',
        }),
        options,
      );
    },
    async getDemandDecorations(allocationIds, options) {
      const req = request('GET', '/demandDecorations', 'idempotent', {
        query: { allocationIds: allocationIds.join(',') },
      });
      return asObject<MarketDecorationDto>(await http.call(req, options), req);
    },
    async getRequestorAccounts(options) {
      const req = request('GET', '/requestorAccounts', 'idempotent');
      return asArray<AccountDto>(await http.call(req, options), req);
    },
    getDebitNotes: async (params, options) =>
      fetchList<DebitNoteDto, DebitNoteData>(list('/debitNotes', params), toDebitNoteData, options),
    getDebitNote: async (debitNoteId, options) =>
      fetchObject(
        request('GET', '/debitNotes/{debitNoteId}', 'idempotent', { params: { debitNoteId } }),
        toDebitNoteData,
        options,
      ),
    acceptDebitNote: async (debitNoteId, a, ack = {}, options) =>
      decide('/debitNotes/{debitNoteId}/accept', { debitNoteId }, acceptance(a), ack, options),
    rejectDebitNote: async (debitNoteId, r, ack = {}, options) =>
      decide('/debitNotes/{debitNoteId}/reject', { debitNoteId }, rejection(r), ack, options),
    getDebitNoteEvents: async (params = {}, options) =>
      fetchList<DebitNoteEventDto, DebitNoteEventData>(
        events('/debitNoteEvents', params, {}, params.requestorEvents),
        toPaymentEventData,
        options,
      ),
    getInvoices: async (params, options) =>
      fetchList<InvoiceDto, InvoiceData>(list('/invoices', params), toInvoiceData, options),
    getInvoice: async (invoiceId, options) =>
      fetchObject(
        request('GET', '/invoices/{invoiceId}', 'idempotent', { params: { invoiceId } }),
        toInvoiceData,
        options,
      ),
    acceptInvoice: async (invoiceId, a, ack = {}, options) =>
      decide('/invoices/{invoiceId}/accept', { invoiceId }, acceptance(a), ack, options),
    rejectInvoice: async (invoiceId, r, ack = {}, options) =>
      decide('/invoices/{invoiceId}/reject', { invoiceId }, rejection(r), ack, options),
    getInvoiceEvents: async (params = {}, options) =>
      fetchList<InvoiceEventDto, InvoiceEventData>(
        events('/invoiceEvents', params, {}, params.requestorEvents),
        toPaymentEventData,
        options,
      ),
    getPayments: async (params = {}, options) =>
      fetchList<PaymentDto, PaymentData>(
        events('/payments', params, { network: params.network, driver: params.driver }),
        toPaymentData,
        options,
      ),
    getPayment: async (paymentId, options) =>
      fetchObject(
        request('GET', '/payments/{paymentId}', 'idempotent', { params: { paymentId } }),
        toPaymentData,
        options,
      ),
    paymentsStatus: async (params = {}, options) =>
      fetchList<DriverStatusPropertyDto, DriverStatusPropertyData>(
        request('GET', '/payments/status', 'idempotent', {
          query: { network: params.network, driver: params.driver },
        }),
        toDriverStatusPropertyData,
        options,
      ),
  };
}
