/**
 * golem-rx's typed yagna client: one Promise-returning function per requestor endpoint, each
 * taking an AbortSignal and a timeout. See docs/api-client.md.
 */
import { createActivityApi, type ActivityApi } from './activity.js';
import { resolveYagnaConfig, type YagnaApiOptions, type YagnaConfig, type YagnaEnv } from './config.js';
import { createYagnaHttp } from './http.js';
import { createIdentityApi, createVersionApi, type IdentityApi, type VersionApi } from './identity.js';
import { createMarketApi, type MarketApi } from './market.js';
import { createPaymentApi, type PaymentApi } from './payment.js';

/** The client: one object of functions per API group, plus the resolved configuration. */
export interface YagnaApi {
  readonly market: MarketApi;
  readonly activity: ActivityApi;
  readonly payment: PaymentApi;
  readonly identity: IdentityApi;
  readonly version: VersionApi;
  /** The resolved configuration (the app key is non-enumerable and redacted in JSON/inspect). */
  readonly config: YagnaConfig;
}

/**
 * Creates the yagna client.
 *
 * @param options base URL, app key, timeouts, retry, exchange observer; unset ones come from the
 *   environment (`YAGNA_API_URL`, `YAGNA_APPKEY`, `YAGNA_*_URL`, see {@link resolveYagnaConfig})
 * @param env the environment to read (default `process.env`)
 * @returns the client
 * @throws {YagnaArgumentError} on an invalid configuration
 * @example
 * const api = createYagnaApi({ url: devnet.url, appKey: devnet.appKey });
 * const controller = new AbortController();
 * const id = await api.market.subscribeDemand({ properties, constraints: '(&)' }, { signal: controller.signal });
 * const events = await api.market.collectOffers(id, { timeout: 5, maxEvents: 100 });
 */
export function createYagnaApi(options?: YagnaApiOptions, env?: YagnaEnv): YagnaApi {
  const config = resolveYagnaConfig(options, env);
  const http = createYagnaHttp(config);
  return {
    market: createMarketApi(http),
    activity: createActivityApi(http),
    payment: createPaymentApi(http),
    identity: createIdentityApi(http),
    version: createVersionApi(http),
    config,
  };
}

export type { ActivityApi, BatchResultsParams } from './activity.js';
export { AMOUNT_DECIMALS, type AmountInput } from './amounts.js';
export { redactText } from './scrub.js';
export { DEFAULT_YAGNA_API_URL, resolveYagnaConfig } from './config.js';
export type { RetryConfig, YagnaApiName, YagnaApiOptions, YagnaConfig, YagnaEnv } from './config.js';
export type { YagnaExchange } from './exchange.js';
export type { CallOptions, RetryPolicy } from './http.js';
export type { IdentityApi, VersionApi } from './identity.js';
export { DEFAULT_POLL_TIMEOUT_SEC } from './market.js';
export type {
  AgreementProposalInput,
  CollectAgreementEventsParams,
  CollectParams,
  CollectScanParams,
  ListAgreementsParams,
  MarketApi,
} from './market.js';
export type {
  AckParams,
  GetPaymentsParams,
  ListParams,
  PaymentApi,
  PaymentEventKind,
  PaymentEventParams,
} from './payment.js';
export type {
  Acceptance,
  AllocationData,
  AllocationUpdate,
  DebitNoteData,
  DebitNoteEventData,
  DriverStatusPropertyData,
  InvoiceData,
  InvoiceEventData,
  NewAllocation,
  PaymentData,
  Rejection,
  RejectionData,
} from './paymentData.js';
export type * from './types/index.js';

// --- errors of the client (one class a file, each with its isXxxError guard)
export { InvalidPricingError, isInvalidPricingError } from './errors/InvalidPricingError.js';
export { YagnaError, isYagnaError, type YagnaErrorContext } from './errors/YagnaError.js';
export { YagnaArgumentError, isYagnaArgumentError } from './errors/YagnaArgumentError.js';
export { YagnaBadRequestError, isYagnaBadRequestError } from './errors/YagnaBadRequestError.js';
export { YagnaConflictError, isYagnaConflictError } from './errors/YagnaConflictError.js';
export { YagnaForbiddenError, isYagnaForbiddenError } from './errors/YagnaForbiddenError.js';
export { YagnaGoneError, isYagnaGoneError } from './errors/YagnaGoneError.js';
export { YagnaNetworkError, isYagnaNetworkError } from './errors/YagnaNetworkError.js';
export { YagnaNotFoundError, isYagnaNotFoundError } from './errors/YagnaNotFoundError.js';
export { YagnaNotImplementedError, isYagnaNotImplementedError } from './errors/YagnaNotImplementedError.js';
export { YagnaProtocolError, isYagnaProtocolError } from './errors/YagnaProtocolError.js';
export { YagnaServerError, isYagnaServerError } from './errors/YagnaServerError.js';
export { YagnaTimeoutError, isYagnaTimeoutError } from './errors/YagnaTimeoutError.js';
export { YagnaUnauthorizedError, isYagnaUnauthorizedError } from './errors/YagnaUnauthorizedError.js';
