// golem-rx/testing: the kit to marble-test your own strategies, without yagna.

// --- fakes of the operator ports, driven by your cold() Observables
export { fakeActivity, fakeAgreement, fakeDraftProposal, fakeOfferProposal } from './fakes.js';
export type { FakeActivity, FakeAgreement, FakeCall, FakeDraftProposal, FakeOfferProposal } from './fakes.js';

// --- offers with prices and properties
export { fakeOffer, offerProperties } from './offers.js';
export type { FakeOfferInit, OfferPrice, OfferSpec } from './offers.js';

// --- debit notes and invoices for acceptPayments
export { fakeDebitNote, fakeInvoice } from './payments.js';
export type { FakePayable, FakePayableInit } from './payments.js';

// --- the in-memory yagna (virtual time, no HTTP)
export { createInMemoryYagna } from './inMemoryYagna.js';
export type { InMemoryProviderSpec, InMemoryYagna, InMemoryYagnaOptions } from './inMemoryYagna.js';
export { DEFAULT_CALL_TIMES } from './inMemoryBehaviour.js';
export type {
  ActivityOutcome,
  ApprovalOutcome,
  CallTimes,
  CounterOutcome,
  InMemoryYagnaStats,
  Outcome,
  ProviderBehaviour,
  ProviderBehaviourInit,
} from './inMemoryBehaviour.js';
export {
  InMemoryActivity,
  InMemoryAgreement,
  InMemoryDraft,
  InMemoryOfferProposal,
} from './inMemoryResources.js';
export type { InMemoryActivityState, InMemoryAgreementState, InMemoryProvider } from './inMemoryResources.js';

// --- marble-testing a strategy
export { testStrategy } from './testStrategy.js';
export type {
  StrategyRunConfig,
  StrategyTestHelpers,
  StrategyTestResult,
  StrategyUnderTest,
  TestStrategyOptions,
} from './testStrategy.js';
export { throwingAssertDeepEqual } from './assertDeepEqual.js';
export type { AssertDeepEqual } from './assertDeepEqual.js';
