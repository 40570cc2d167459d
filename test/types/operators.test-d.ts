import { type Observable, filter, of, take, tap } from 'rxjs';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type ActivityPort,
  type AgreementPort,
  type DraftProposal,
  type Lease,
  type NegotiatedDraft,
  type OfferProposal,
  type Scored,
  createActivity,
  createAgreement,
  filterDrafts,
  negotiate,
  score,
} from '../../src/operators/index.js';

interface MyActivity extends ActivityPort {
  readonly kind: 'activity';
}
interface MyAgreement extends AgreementPort<MyActivity> {
  readonly kind: 'agreement';
}
interface MyDraft extends DraftProposal<MyAgreement> {
  readonly kind: 'draft';
}
interface MyOffer extends OfferProposal<MyDraft> {
  readonly kind: 'offer';
}
declare const offers$: Observable<MyOffer>;
declare const drafts$: Observable<MyDraft>;

describe('operator types', () => {
  it('infer the resource types through the whole pipe', () => {
    const scored$ = offers$.pipe(
      score((p) => {
        expectTypeOf(p).toEqualTypeOf<MyOffer>();
        return 1;
      }),
    );
    expectTypeOf(scored$).toEqualTypeOf<Observable<Scored<MyOffer>>>();

    const negotiated$ = scored$.pipe(negotiate(4));
    expectTypeOf(negotiated$).toEqualTypeOf<Observable<NegotiatedDraft<MyDraft, MyOffer>>>();

    const activities$ = offers$.pipe(
      score(() => Promise.resolve(1)),
      filter((s) => s.score > 1),
      negotiate({ concurrency: 4 }),
      tap((x) => expectTypeOf(x.lease).toEqualTypeOf<Lease>()),
      filterDrafts((x) => x.draft.kind === 'draft'),
      createAgreement({ concurrency: 2 }),
      take(2),
      createActivity(),
    );
    expectTypeOf(activities$).toEqualTypeOf<Observable<MyActivity>>();
  });

  it('accept unscored proposals in negotiate and bare drafts in createAgreement', () => {
    expectTypeOf(offers$.pipe(negotiate())).toEqualTypeOf<Observable<NegotiatedDraft<MyDraft, MyOffer>>>();
    expectTypeOf(drafts$.pipe(createAgreement())).toEqualTypeOf<Observable<MyAgreement>>();
  });

  it('have both negotiate overloads, with `respond` typed by the proposal', () => {
    offers$.pipe(
      negotiate(2, {
        respond: (p, s) => {
          expectTypeOf(p).toEqualTypeOf<MyOffer>();
          expectTypeOf(s).toEqualTypeOf<number>();
          return { properties: { id: p.id } };
        },
      }),
    );
    offers$.pipe(negotiate({ concurrency: 2, respond: () => undefined }));
  });

  it('reject misuse', () => {
    // @ts-expect-error the concurrency is a number
    offers$.pipe(negotiate('4'));
    // @ts-expect-error concurrency goes in the number or the config, not both
    offers$.pipe(negotiate(4, { concurrency: 4 }));
    // @ts-expect-error a score is a number (or null), not a string
    offers$.pipe(score(() => 'high'));
    // @ts-expect-error only proposals can be scored
    of(1).pipe(score(() => 1));
    // @ts-expect-error offers must be negotiated before an agreement is made
    offers$.pipe(createAgreement());
    // @ts-expect-error an activity needs an agreement, not a draft
    drafts$.pipe(createActivity());
    // @ts-expect-error filterDrafts works on negotiate's output only
    drafts$.pipe(filterDrafts(() => true));
  });
});
