// src/resources: the resource tree (Demand → Proposal → Agreement → Activity → Batch; Allocation,
// Invoice, DebitNote) and what the node (src/node) builds on. See docs/resources.md.

// --- what the node is made of
export type { ResourceNode } from './ResourceNode.js';
export {
  DEFAULT_ALLOCATION_EXPIRES_MS,
  DEFAULT_DEMAND_EXPIRATION_MS,
  DEFAULT_INVOICE_TIMEOUT_MS,
  MAX_ALLOCATION_EXPIRES_MS,
} from './nodeOptions.js';
export type {
  CreateAllocationOptions,
  CreateDemandOptions,
  GolemNodeOptions,
  NodeConfig,
  NodePaymentsOptions,
} from './nodeOptions.js';
export {
  DEFAULT_DEMAND_REFRESH_MARGIN_MS,
  DEFAULT_SUBSCRIPTION_TTL_MS,
  type DemandRefreshOptions,
  type DemandStreamOptions,
} from './nodeCreate.js';
export type { CloseFailure, CloseReport, UnsettledAgreement, UnsettledReason } from './nodeClose.js';
export type { PaymentPolicy, PaymentPolicyContext } from './paymentPolicy.js';
export type { AgreementEvent } from './nodeStreams.js';
export type { Flexible, FlexibleApi, NodeApi } from './NodeApi.js';

// --- resources
export { Resource } from './Resource.js';
export type { AnyResource, GetDataOptions } from './Resource.js';
export { Allocation } from './Allocation.js';
export { Demand } from './Demand.js';
export { DEFAULT_AGREEMENT_VALID_FOR_MS, Proposal } from './Proposal.js';
export type { CreateAgreementOptions } from './Proposal.js';
export { Agreement, DEFAULT_APPROVAL_TIMEOUT_MS, type AgreementTerms } from './Agreement.js';
export { Activity, type CommandOutput, DEPLOY_AND_START } from './Activity.js';
export { Batch } from './Batch.js';
export type { BatchResult } from './Batch.js';
export { Invoice } from './Invoice.js';
export { DebitNote } from './DebitNote.js';

// --- actions: cold, awaitable Observables
export { Action, action } from './Action.js';

// --- demand payloads
export {
  DEFAULT_PAYMENT_TERMS,
  PROPERTY,
  buildCounterProposal,
  buildDemand,
  joinConstraints,
  platformsOf,
} from './payload.js';
export type { DemandPayload, DemandParts, PaymentTerms } from './payload.js';

// --- market scan: the offers on the market, without a demand (`node.scan$`)
export {
  SCAN_IDLE_TIMEOUT_SEC,
  type ScanByConstraints,
  type ScanByPayload,
  type ScanOptions,
} from './scan.js';

// --- bus events added by this layer
export { AgreementUnsettled, ResourceOperationFailed } from './events.js';
export type { BackgroundOperation } from './events.js';
export { ScanEndFailed } from './scanEvents.js';

// --- errors of this layer
export { BatchError, isBatchError, type BatchErrorReason } from './errors/BatchError.js';
export { NoMatchingAccountError, isNoMatchingAccountError } from './errors/NoMatchingAccountError.js';
export { ProposalRejectedError, isProposalRejectedError } from './errors/ProposalRejectedError.js';
export {
  ResourceDataNotLoadedError,
  isResourceDataNotLoadedError,
} from './errors/ResourceDataNotLoadedError.js';
