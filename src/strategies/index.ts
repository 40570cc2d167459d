// src/strategies: scorers, filters and wrappers for `score`, the linear pricing model, and VM payloads.

// --- shapes and composition
export type { ProposalFilter, ProposalScorer, ScorerWrapper } from './types.js';
export { combineScorers, isKept, keepIf, pipeScorers } from './compose.js';

// --- strategies (yapapi's market strategies)
export { dummyStrategy } from './dummyStrategy.js';
export type { DummyStrategyConfig } from './dummyStrategy.js';
export { expectedLinearCost, leastExpensiveLinearPayu } from './leastExpensiveLinearPayu.js';
export type { LeastExpensiveLinearPayuConfig } from './leastExpensiveLinearPayu.js';
export { notApprovedProviders, penalizeProviders, penalizeUnconfirmed } from './penalizeUnconfirmed.js';
export type { PenalizeUnconfirmedConfig } from './penalizeUnconfirmed.js';

// --- filters
export { allowProviders, blockProviders } from './providers.js';
export { maxPrice } from './maxPrice.js';
export type { MaxPriceConfig } from './maxPrice.js';

// --- the linear pricing model
export {
  PRICING_PROPERTY,
  USAGE,
  canonicalUsageName,
  floatToDecimal,
  linearCost,
  linearPricing,
  priceFor,
  tryLinearPricing,
} from '../api/pricing.js';
export type { LinearPricing } from '../api/pricing.js';

// --- VM payload
export { GOLEM_REGISTRY_URL, VM_PROPERTY, resolveImage, vmPackage } from './payload.js';
export type { ImageRegistryOptions, ResolvedImage, VmPackageOptions, VmPayload } from './payload.js';

// --- errors of this layer
export { ImageResolutionError, isImageResolutionError } from './errors/ImageResolutionError.js';
