// src/operators: the spending operators of golem-rx: score · negotiate · createAgreement · createActivity.

// --- ports: what the operators call on resources
export type {
  ActivityOf,
  ActivityPort,
  AgreementOf,
  AgreementPort,
  DraftOf,
  DraftProposal,
  OfferProposal,
} from '../ports/index.js';

// --- operators
export { score } from './score.js';
export type { ScoreConfig, ScoreValue, Scored, Scorer } from './score.js';
export { negotiate } from './negotiate.js';
export type { CounterProposal, NegotiateConfig } from './negotiate.js';
export { filterDrafts } from './filterDrafts.js';
export type { FilterDraftsConfig } from './filterDrafts.js';
export { createAgreement } from './createAgreement.js';
export type { CreateAgreementConfig } from './createAgreement.js';
export { createActivity } from './createActivity.js';
export type { CreateActivityConfig } from './createActivity.js';

// --- payments
export { acceptPayments } from './acceptPayments.js';
export type {
  AcceptPaymentsConfig,
  OverPriceReason,
  PayableAgreementTerms,
  PayableDocument,
  PaymentEvent,
  PaymentRejection,
  RejectionOutcome,
  SkipReason,
} from './acceptPayments.js';

// --- leases and events
export { createLease, isNegotiatedDraft } from './lease.js';
export type { Lease, NegotiatedDraft } from './lease.js';
export type { CleanupAction, OnOperatorEvent, OperatorEvent } from './events.js';

// --- errors of this layer
export { CounterProposalError, isCounterProposalError } from './errors/CounterProposalError.js';
export {
  MissingAgreementTermsError,
  isMissingAgreementTermsError,
} from './errors/MissingAgreementTermsError.js';
export { ScoringError, isScoringError } from './errors/ScoringError.js';
