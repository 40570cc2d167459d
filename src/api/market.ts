/**
 * Market API (`/market-api/v1`), requestor side: M1–M17 and the market scan (REQUESTOR-GUIDE §3).
 */
import type { CallOptions, YagnaHttp, YagnaRequest } from './http.js';
import { asArray, asObject, asString, toSeconds, toTimestamp } from './parse.js';
import type {
  AgreementDto,
  AgreementEventDto,
  AgreementListEntryDto,
  AgreementState,
  AgreementTerminationReasonDto,
  DemandDto,
  DemandOfferBaseDto,
  MarketEventDto,
  NewScanDto,
  OfferDto,
  Properties,
  ProposalDto,
  ReasonDto,
} from './types/index.js';

/** Default server-side `timeout` (s) of long-polls and `waitForApproval`, as in Real yagna. */
export const DEFAULT_POLL_TIMEOUT_SEC = 5;

/** Query of {@link MarketApi.collectOffers} and {@link MarketApi.collectScanResults}. */
export interface CollectParams {
  /** Server-side wait in seconds (float, `0` = immediate). @default 5 */
  timeout?: number;
  /** Max events per answer, 1..100 (Real default 20). */
  maxEvents?: number;
}

/** Query of {@link MarketApi.collectScanResults}. */
export interface CollectScanParams extends CollectParams {
  /** Only offers of this node. */
  peerId?: string;
}

/** Query of {@link MarketApi.collectAgreementEvents}. */
export interface CollectAgreementEventsParams extends CollectParams {
  /** Only events strictly after this (the cursor: the `eventDate` of the last processed event). */
  afterTimestamp?: string | Date;
  /** Only agreements confirmed with this session id. */
  appSessionId?: string;
}

/** Query of {@link MarketApi.listAgreements}. */
export interface ListAgreementsParams {
  appSessionId?: string;
  state?: AgreementState;
  afterDate?: string | Date;
  beforeDate?: string | Date;
}

/** Body of {@link MarketApi.createAgreement}; `validTo` may be a `Date`. */
export interface AgreementProposalInput {
  /** The provider's `Draft` proposal. */
  proposalId: string;
  /** The agreement must be approved before this. */
  validTo: string | Date;
}

/** The requestor's market functions. Each takes {@link CallOptions} last (`signal`, `timeoutMs`). */
export interface MarketApi {
  /** M1 `POST /demands`: publishes a demand; resolves with its subscription id. Never retried. */
  subscribeDemand(demand: DemandOfferBaseDto, options?: CallOptions): Promise<string>;
  /** M2 `GET /demands`: this identity's active demands. */
  getDemands(options?: CallOptions): Promise<DemandDto[]>;
  /** M3 `DELETE /demands/{subscriptionId}`. A gone subscription raises `YagnaNotFoundError`. */
  unsubscribeDemand(subscriptionId: string, options?: CallOptions): Promise<void>;
  /**
   * M4 `GET /demands/{subscriptionId}/events` (long-poll, consuming queue): up to `maxEvents`
   * events, or `[]` after `timeout` s. 404 (`YagnaNotFoundError`) = the subscription is gone.
   * Not retried: the sources layer owns polling and backoff.
   */
  collectOffers(
    subscriptionId: string,
    params?: CollectParams,
    options?: CallOptions,
  ): Promise<MarketEventDto[]>;
  /** M5 `GET /demands/{subscriptionId}/proposals/{proposalId}`. */
  getProposalOffer(subscriptionId: string, proposalId: string, options?: CallOptions): Promise<ProposalDto>;
  /** M6 `POST /demands/{subscriptionId}/proposals/{proposalId}`: counters; resolves with our new proposal's id. Never retried. */
  counterProposalDemand(
    subscriptionId: string,
    proposalId: string,
    demand: DemandOfferBaseDto,
    options?: CallOptions,
  ): Promise<string>;
  /** M7 `POST /demands/{subscriptionId}/proposals/{proposalId}/reject`, with an optional reason. Never retried. */
  rejectProposalOffer(
    subscriptionId: string,
    proposalId: string,
    reason?: ReasonDto,
    options?: CallOptions,
  ): Promise<void>;
  /** M8 `POST /demands/{subscriptionId}/propertyQuery/{queryId}` (capability level 2; unused by yagna). */
  queryReplyDemands(
    subscriptionId: string,
    queryId: string,
    reply: Properties,
    options?: CallOptions,
  ): Promise<void>;
  /** M9 `GET /agreements`: agreements of this node, filtered. */
  listAgreements(params?: ListAgreementsParams, options?: CallOptions): Promise<AgreementListEntryDto[]>;
  /** M10 `POST /agreements` from a provider's `Draft` proposal; resolves with the agreement id. Never retried. */
  createAgreement(proposal: AgreementProposalInput, options?: CallOptions): Promise<string>;
  /** M11 `GET /agreements/{agreementId}`. */
  getAgreement(agreementId: string, options?: CallOptions): Promise<AgreementDto>;
  /** M12 `POST /agreements/{agreementId}/confirm?appSessionId`: signs and sends to the provider. Never retried. */
  confirmAgreement(
    agreementId: string,
    params?: { appSessionId?: string },
    options?: CallOptions,
  ): Promise<void>;
  /**
   * M13 `POST /agreements/{agreementId}/wait?timeout`: resolves when approved. Rejects with
   * `YagnaGoneError` (`yagnaMessage` `Rejected`/`Cancelled`/expired) or `YagnaTimeoutError` (408: still
   * pending, call again). Retried on network failures and 500/502/503 only.
   */
  waitForApproval(agreementId: string, params?: { timeout?: number }, options?: CallOptions): Promise<void>;
  /** M14 `POST /agreements/{agreementId}/cancel` (before the provider decided). Never retried. */
  cancelAgreement(agreementId: string, reason?: ReasonDto, options?: CallOptions): Promise<void>;
  /** M15 `POST /agreements/{agreementId}/terminate` (only from `Approved`). Never retried. */
  terminateAgreement(agreementId: string, reason?: ReasonDto, options?: CallOptions): Promise<void>;
  /**
   * M16 `GET /agreementEvents` (long-poll over a persistent log): events after `afterTimestamp`,
   * or `[]` after `timeout` s. Not retried: the sources layer owns the cursor and backoff.
   */
  collectAgreementEvents(
    params?: CollectAgreementEventsParams,
    options?: CallOptions,
  ): Promise<AgreementEventDto[]>;
  /** M17 `GET /agreements/{agreementId}/terminate/reason` (Real route is GET; the spec's POST is not served). */
  getTerminateAgreementReason(
    agreementId: string,
    options?: CallOptions,
  ): Promise<AgreementTerminationReasonDto>;
  /** M18 `POST /scan`: starts a market scan; resolves with its id. Never retried. */
  beginScan(scan: NewScanDto, options?: CallOptions): Promise<string>;
  /** M18 `GET /scan/{scanId}/events` (long-poll): offers found, or `[]` after `timeout` s. Not retried. */
  collectScanResults(scanId: string, params?: CollectScanParams, options?: CallOptions): Promise<OfferDto[]>;
  /** M18 `DELETE /scan/{scanId}` (Real route). */
  endScan(scanId: string, options?: CallOptions): Promise<void>;
}

/**
 * Builds the market functions over a transport.
 * @param http the transport (see {@link createYagnaHttp})
 * @returns the market group of {@link createYagnaApi}
 */
export function createMarketApi(http: YagnaHttp): MarketApi {
  const call = async (request: YagnaRequest, options: CallOptions | undefined): Promise<unknown> =>
    http.call(request, options);
  const none = async (
    request: Omit<YagnaRequest, 'api' | 'expect'>,
    options?: CallOptions,
  ): Promise<void> => {
    await call({ ...request, api: 'market', expect: 'none' }, options);
  };
  const ids = (subscriptionId: string, proposalId: string) => ({ subscriptionId, proposalId });
  const poll = (timeout: number | undefined) => toSeconds(timeout) ?? DEFAULT_POLL_TIMEOUT_SEC;

  return {
    async subscribeDemand(demand, options) {
      const request: YagnaRequest = {
        api: 'market',
        method: 'POST',
        path: '/demands',
        body: demand,
        retry: 'never',
      };
      return asString(await call(request, options), request);
    },
    async getDemands(options) {
      const request: YagnaRequest = { api: 'market', method: 'GET', path: '/demands', retry: 'idempotent' };
      return asArray<DemandDto>(await call(request, options), request);
    },
    unsubscribeDemand: (subscriptionId, options) =>
      none(
        {
          method: 'DELETE',
          path: '/demands/{subscriptionId}',
          params: { subscriptionId },
          retry: 'idempotent',
        },
        options,
      ),
    async collectOffers(subscriptionId, params = {}, options) {
      const timeout = poll(params.timeout);
      const request: YagnaRequest = {
        api: 'market',
        method: 'GET',
        path: '/demands/{subscriptionId}/events',
        params: { subscriptionId },
        query: { timeout, maxEvents: params.maxEvents },
        retry: 'never',
        serverTimeoutSec: timeout,
      };
      return asArray<MarketEventDto>(await call(request, options), request);
    },
    async getProposalOffer(subscriptionId, proposalId, options) {
      const request: YagnaRequest = {
        api: 'market',
        method: 'GET',
        path: '/demands/{subscriptionId}/proposals/{proposalId}',
        params: ids(subscriptionId, proposalId),
        retry: 'idempotent',
      };
      return asObject<ProposalDto>(await call(request, options), request);
    },
    async counterProposalDemand(subscriptionId, proposalId, demand, options) {
      const request: YagnaRequest = {
        api: 'market',
        method: 'POST',
        path: '/demands/{subscriptionId}/proposals/{proposalId}',
        params: ids(subscriptionId, proposalId),
        body: demand,
        retry: 'never',
      };
      return asString(await call(request, options), request);
    },
    rejectProposalOffer: (subscriptionId, proposalId, reason, options) =>
      none(
        {
          method: 'POST',
          path: '/demands/{subscriptionId}/proposals/{proposalId}/reject',
          params: ids(subscriptionId, proposalId),
          body: reason,
          retry: 'never',
        },
        options,
      ),
    queryReplyDemands: (subscriptionId, queryId, reply, options) =>
      none(
        {
          method: 'POST',
          path: '/demands/{subscriptionId}/propertyQuery/{queryId}',
          params: { subscriptionId, queryId },
          body: reply,
          retry: 'never',
        },
        options,
      ),
    async listAgreements(params = {}, options) {
      const request: YagnaRequest = {
        api: 'market',
        method: 'GET',
        path: '/agreements',
        query: {
          appSessionId: params.appSessionId,
          state: params.state,
          afterDate: toTimestamp(params.afterDate),
          beforeDate: toTimestamp(params.beforeDate),
        },
        retry: 'idempotent',
      };
      return asArray<AgreementListEntryDto>(await call(request, options), request);
    },
    async createAgreement(proposal, options) {
      const body = { proposalId: proposal.proposalId, validTo: toTimestamp(proposal.validTo) };
      const request: YagnaRequest = {
        api: 'market',
        method: 'POST',
        path: '/agreements',
        body,
        retry: 'never',
      };
      return asString(await call(request, options), request);
    },
    async getAgreement(agreementId, options) {
      const request: YagnaRequest = {
        api: 'market',
        method: 'GET',
        path: '/agreements/{agreementId}',
        params: { agreementId },
        retry: 'idempotent',
      };
      return asObject<AgreementDto>(await call(request, options), request);
    },
    confirmAgreement: (agreementId, params = {}, options) =>
      none(
        {
          method: 'POST',
          path: '/agreements/{agreementId}/confirm',
          params: { agreementId },
          query: { appSessionId: params.appSessionId },
          retry: 'never',
        },
        options,
      ),
    async waitForApproval(agreementId, params = {}, options) {
      const timeout = poll(params.timeout);
      await none(
        {
          method: 'POST',
          path: '/agreements/{agreementId}/wait',
          params: { agreementId },
          query: { timeout },
          retry: 'waiting',
          serverTimeoutSec: timeout,
        },
        options,
      );
    },
    cancelAgreement: (agreementId, reason, options) =>
      none(
        {
          method: 'POST',
          path: '/agreements/{agreementId}/cancel',
          params: { agreementId },
          body: reason,
          retry: 'never',
        },
        options,
      ),
    terminateAgreement: (agreementId, reason, options) =>
      none(
        {
          method: 'POST',
          path: '/agreements/{agreementId}/terminate',
          params: { agreementId },
          body: reason,
          retry: 'never',
        },
        options,
      ),
    async collectAgreementEvents(params = {}, options) {
      const timeout = poll(params.timeout);
      const request: YagnaRequest = {
        api: 'market',
        method: 'GET',
        path: '/agreementEvents',
        query: {
          timeout,
          afterTimestamp: toTimestamp(params.afterTimestamp),
          maxEvents: params.maxEvents,
          appSessionId: params.appSessionId,
        },
        retry: 'never',
        serverTimeoutSec: timeout,
      };
      return asArray<AgreementEventDto>(await call(request, options), request);
    },
    async getTerminateAgreementReason(agreementId, options) {
      const request: YagnaRequest = {
        api: 'market',
        method: 'GET',
        path: '/agreements/{agreementId}/terminate/reason',
        params: { agreementId },
        retry: 'idempotent',
      };
      return asObject<AgreementTerminationReasonDto>(await call(request, options), request);
    },
    async beginScan(scan, options) {
      const request: YagnaRequest = {
        api: 'market',
        method: 'POST',
        path: '/scan',
        body: scan,
        retry: 'never',
      };
      return asString(await call(request, options), request);
    },
    async collectScanResults(scanId, params = {}, options) {
      const timeout = poll(params.timeout);
      const request: YagnaRequest = {
        api: 'market',
        method: 'GET',
        path: '/scan/{subscriptionId}/events',
        params: { subscriptionId: scanId },
        query: { timeout, maxEvents: params.maxEvents, peerId: params.peerId },
        retry: 'never',
        serverTimeoutSec: timeout,
      };
      return asArray<OfferDto>(await call(request, options), request);
    },
    endScan: (scanId, options) =>
      none(
        {
          method: 'DELETE',
          path: '/scan/{subscriptionId}',
          params: { subscriptionId: scanId },
          retry: 'idempotent',
        },
        options,
      ),
  };
}
