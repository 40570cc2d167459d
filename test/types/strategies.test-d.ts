import type { Decimal } from 'decimal.js';
import { type Observable, filter, merge } from 'rxjs';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type AgreementPort,
  type DraftProposal,
  type OfferProposal,
  type Scored,
  createAgreement,
  negotiate,
  score,
} from '../../src/operators/index.js';
import {
  type PayableDocument,
  type PaymentEvent,
  acceptPayments,
} from '../../src/operators/acceptPayments.js';
import {
  type LinearPricing,
  type ProposalScorer,
  type VmPayload,
  allowProviders,
  blockProviders,
  combineScorers,
  dummyStrategy,
  keepIf,
  leastExpensiveLinearPayu,
  linearPricing,
  maxPrice,
  penalizeUnconfirmed,
  pipeScorers,
  tryLinearPricing,
  vmPackage,
} from '../../src/strategies/index.js';
import type { DemandPayload } from '../../src/resources/payload.js';
import {
  type InMemoryAgreement,
  type InMemoryOfferProposal,
  createInMemoryYagna,
  testStrategy,
} from '../../src/testing/index.js';

interface MyAgreement extends AgreementPort {
  readonly kind: 'agreement';
}
interface MyDraft extends DraftProposal<MyAgreement> {
  readonly kind: 'draft';
}
interface MyOffer extends OfferProposal<MyDraft> {
  readonly kind: 'offer';
}
declare const offers$: Observable<MyOffer>;
declare const notApproved$: Observable<string>;

describe('strategy types', () => {
  it('plug into score with the proposal type kept through the pipe', () => {
    const strategy = pipeScorers(
      leastExpensiveLinearPayu<MyOffer>(),
      keepIf(blockProviders(['x']), maxPrice({ start: 0 })),
    );
    expectTypeOf(strategy).toEqualTypeOf<ProposalScorer<MyOffer>>();
    const agreements$ = offers$.pipe(score(strategy), negotiate(2), createAgreement());
    expectTypeOf(agreements$).toEqualTypeOf<Observable<MyAgreement>>();
    // inline, the factories take their proposal type from the pipe; a scorer built beforehand
    // for any OfferProposal needs the type named: score<MyOffer>(built)
    expectTypeOf(offers$.pipe(score(dummyStrategy()))).toEqualTypeOf<Observable<Scored<MyOffer>>>();
    const built = pipeScorers(dummyStrategy(), keepIf(allowProviders(['a'])));
    const scored$ = offers$.pipe(score<MyOffer>(built));
    expectTypeOf(scored$).toEqualTypeOf<Observable<Scored<MyOffer>>>();
    expectTypeOf(offers$.pipe(filter(allowProviders(['a'])))).toEqualTypeOf<Observable<MyOffer>>();
  });

  it('penalizeUnconfirmed is an operator to Scored proposals', () => {
    const scored$ = offers$.pipe(
      penalizeUnconfirmed((p: MyOffer) => (p.kind === 'offer' ? 1 : null), 0.5, { notApproved$ }),
    );
    expectTypeOf(scored$).toEqualTypeOf<Observable<Scored<MyOffer>>>();
    // a scorer of any OfferProposal: the proposal type comes from the pipe
    const built = pipeScorers(dummyStrategy(), keepIf(allowProviders(['a'])));
    expectTypeOf(offers$.pipe(penalizeUnconfirmed(built, 0.5, { notApproved$ }))).toEqualTypeOf<
      Observable<Scored<MyOffer>>
    >();
    // @ts-expect-error notApproved$ is required
    penalizeUnconfirmed(dummyStrategy(), 0.5, {});
  });

  it('combineScorers takes [scorer, weight] pairs', () => {
    expectTypeOf(combineScorers([dummyStrategy(), 1])).toEqualTypeOf<ProposalScorer<OfferProposal>>();
    // @ts-expect-error a weight is required
    combineScorers([dummyStrategy()]);
  });

  it('pricing is read as Decimals', () => {
    expectTypeOf(linearPricing({})).toEqualTypeOf<LinearPricing>();
    expectTypeOf(linearPricing({}).start).toEqualTypeOf<Decimal>();
    expectTypeOf(tryLinearPricing({})).toEqualTypeOf<LinearPricing | undefined>();
  });

  it('vmPackage resolves to a DemandPayload', () => {
    expectTypeOf(vmPackage({ imageTag: 'golem/alpine:latest' })).toEqualTypeOf<Promise<VmPayload>>();
    expectTypeOf<VmPayload>().toMatchTypeOf<DemandPayload>();
  });
});

interface Allocation {
  readonly id: string;
}
declare const debitNotes$: Observable<PayableDocument<Allocation>>;
declare const invoices$: Observable<PayableDocument<Allocation>>;
declare const allocation: Allocation;

describe('acceptPayments types', () => {
  it('takes documents payable from the allocation given', () => {
    const events$ = merge(debitNotes$, invoices$).pipe(acceptPayments({ allocation, budget: '5' }));
    expectTypeOf(events$).toEqualTypeOf<Observable<PaymentEvent<Allocation>>>();
    // @ts-expect-error a budget is required
    acceptPayments({ allocation });
    // @ts-expect-error documents payable from another allocation type
    debitNotes$.pipe(acceptPayments({ allocation: 42, budget: 1 }));
  });
});

describe('testing kit types', () => {
  it('gives in-memory resources', () => {
    const yagna = createInMemoryYagna();
    expectTypeOf(yagna.proposals$).toEqualTypeOf<Observable<InMemoryOfferProposal>>();
    const agreements$ = yagna.proposals$.pipe(score(dummyStrategy()), negotiate(1), createAgreement());
    expectTypeOf(agreements$).toEqualTypeOf<Observable<InMemoryAgreement>>();
    const { result } = testStrategy(() => 42);
    expectTypeOf(result).toEqualTypeOf<number>();
  });
});
