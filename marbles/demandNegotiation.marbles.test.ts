import { concatMap, map, take } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import type { DemandOfferBaseDto } from '../src/api/types/index.js';
import { SourceHealthChanged } from '../src/bus/events.js';
import { ProposalRejectedError } from '../src/resources/errors/ProposalRejectedError.js';
import { YagnaServerError } from '../src/api/errors/YagnaServerError.js';
import { GolemNode } from '../src/node/GolemNode.js';
import type { NodeApi } from '../src/resources/NodeApi.js';
import type { Proposal } from '../src/resources/Proposal.js';
import { PROVIDER, offerEvent, rejectedEvent } from '../test/resources/support/fixtures.js';
import { sequence, stubApi } from '../test/resources/support/stubApi.js';

let testScheduler: TestScheduler;

beforeEach(() => {
  testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

const decoration = {
  properties: [
    { key: 'golem.com.payment.platform.erc20-polygon-glm.address', value: '0xme' },
    { key: 'golem.com.payment.platform.erc20-holesky-tglm.address', value: '0xme' },
    { key: 'golem.com.payment.protocol.version', value: '3' },
  ],
  constraints: ['(golem.com.payment.platform.erc20-holesky-tglm.address=*)'],
};

function nodeWith(api: NodeApi): GolemNode {
  return new GolemNode({ api, scheduler: testScheduler, minPollIntervalMs: 0, random: () => 0 });
}

/** A node with a published demand (decorated by one allocation, not autostarted). */
function demandOn(node: GolemNode) {
  return node.createDemand({
    payload: { constraints: ['(golem.runtime.name=vm)'] },
    allocations: [node.allocation('a1')],
    autostart: false,
  });
}

describe('demand.proposals$', () => {
  it('polls only while subscribed, and replays the proposals collected so far to a late subscriber', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const poll1 = cold('--(b|)', { b: [offerEvent('p1')] });
      const poll2 = cold('  ---(b|)', { b: [offerEvent('lost')] });
      const poll3 = cold('         -(b|)', { b: [offerEvent('p2')] });
      const poll4 = cold('          -');
      const sub1 = '      ^---!';
      const sub2 = '      ---------^--!';
      const expected1 = ' --a-';
      const expected2 = ' ---------ab';

      const api = stubApi({ market: { collectOffers: sequence([poll1, poll2, poll3, poll4]) } });
      const ids = nodeWith(api)
        .demand('d1')
        .proposals$.pipe(map((p) => p.id));
      expectObservable(ids, sub1).toBe(expected1, { a: 'p1' });
      expectObservable(ids, sub2).toBe(expected2, { a: 'p1', b: 'p2' });
      expectSubscriptions(poll1.subscriptions).toBe('^-!');
      expectSubscriptions(poll2.subscriptions).toBe('--^-!'); // aborted when the last subscriber left
      expectSubscriptions(poll3.subscriptions).toBe('---------^!');
      expectSubscriptions(poll4.subscriptions).toBe('----------^-!');
    });
  });

  it('backs off on a 500 and reports SourceHealthChanged on node.events, then resumes', () => {
    testScheduler.run(({ cold, expectObservable, flush }) => {
      // prettier-ignore
      const poll1 = cold('-#', undefined, new YagnaServerError('boom', { status: 500 }));
      const poll2 = cold(
        '                                                                                                        -(b|)',
        { b: [offerEvent('p1')] },
      );
      const poll3 = cold('-');
      const sub = '^' + '-'.repeat(510) + '!';

      const api = stubApi({ market: { collectOffers: sequence([poll1, poll2, poll3]) } });
      const node = nodeWith(api);
      const health: string[] = [];
      node.events.events$.subscribe((e) => {
        if (e instanceof SourceHealthChanged)
          health.push(`${e.source}:${e.health.kind}@${testScheduler.now()}`);
      });
      expectObservable(node.demand('d1').proposals$.pipe(map((p) => p.id)), sub).toBe('502ms a', { a: 'p1' });
      flush();
      expect(health).toEqual(['proposals:d1:unreachable@1', 'proposals:d1:recovered@502']);
    });
  });
});

describe('proposal.respond (the negotiate port)', () => {
  it('counters with the chosen platform and the negotiables, and emits the provider\u2019s draft', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions, flush }) => {
      // prettier-ignore
      const poll1 = cold('  -(b|)', { b: [offerEvent('p1')] });
      const counter = cold('   -(c|)', { c: 'c1' });
      const poll2 = cold('    --(b|)', { b: [offerEvent('d1', 'c1')] });
      const expected = '    ----(x|)';

      const counterProposalDemand = sequence<[string, string, DemandOfferBaseDto, unknown], typeof counter>([
        counter,
      ]);
      const api = stubApi({
        market: {
          subscribeDemand: () => cold('(d|)', { d: 'demand-1' }),
          collectOffers: sequence([poll1, poll2]),
          counterProposalDemand,
        },
        payment: { getDemandDecorations: () => cold('(x|)', { x: decoration }) },
      });
      const node = nodeWith(api);
      const draft$ = demandOn(node).pipe(
        concatMap((demand) => demand.proposals$.pipe(take(1))),
        concatMap((offer) => offer.respond()),
      );
      expectObservable(draft$.pipe(map((d) => d.id)), '^').toBe(expected, { x: 'd1' });
      expectSubscriptions(poll2.subscriptions).toBe('--^-!');
      flush();

      const [demandId, offerId, body] = counterProposalDemand.calls[0]!;
      expect([demandId, offerId]).toEqual(['demand-1', 'p1']);
      expect(body.properties).toMatchObject({
        'golem.com.payment.chosen-platform': 'erc20-holesky-tglm', // the first of ours the offer accepts
        'golem.com.payment.debit-notes.accept-timeout?': 120,
        'golem.com.scheme.payu.debit-note.interval-sec?': 120,
        'golem.com.scheme.payu.payment-timeout-sec?': 43200,
        'golem.srv.comp.expiration': 3_600_000,
        'golem.node.debug.subnet': 'public',
      });
      expect(body.constraints).toContain('(golem.runtime.name=vm)');
      const offer = node.proposal('p1', 'demand-1');
      const ours = node.proposal('c1', 'demand-1');
      const draft = node.proposal('d1', 'demand-1');
      expect([offer.initial, ours.ours, ours.draft, draft.draft, draft.initial]).toEqual([
        true,
        true,
        true,
        true,
        false,
      ]);
      expect(ours.parent).toBe(offer);
      expect(draft.parent).toBe(ours);
      expect(draft.providerId).toBe(PROVIDER);
      expect(ours.providerId).toBe(PROVIDER);
    });
  });

  it('errors with ProposalRejectedError when the provider rejects our counter-proposal', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      // prettier-ignore
      const poll1 = cold('  -(b|)', { b: [offerEvent('p1')] });
      const counter = cold('   -(c|)', { c: 'c1' });
      const poll2 = cold('    --(b|)', { b: [rejectedEvent('c1', 'too cheap')] });
      const expected = '    ----#';

      const api = stubApi({
        market: {
          subscribeDemand: () => cold('(d|)', { d: 'demand-1' }),
          collectOffers: sequence([poll1, poll2]),
          counterProposalDemand: () => counter,
        },
        payment: { getDemandDecorations: () => cold('(x|)', { x: decoration }) },
      });
      const node = nodeWith(api);
      const draft$ = demandOn(node).pipe(
        concatMap((demand) => demand.proposals$.pipe(take(1))),
        concatMap((offer: Proposal) => offer.respond()),
      );
      const error = new ProposalRejectedError({
        proposalId: 'p1',
        providerId: PROVIDER,
        reason: 'too cheap',
        isFinal: true,
      });
      expectObservable(draft$).toBe(expected, undefined, error);
    });
  });

  it('aborts the counter-proposal in flight when unsubscribed', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const poll1 = cold('  -(b|)', { b: [offerEvent('p1')] });
      const counter = cold('   ----(c|)', { c: 'c1' });
      const unsub = '       ---!';

      const api = stubApi({
        market: {
          subscribeDemand: () => cold('(d|)', { d: 'demand-1' }),
          collectOffers: sequence([poll1]),
          counterProposalDemand: () => counter,
        },
        payment: { getDemandDecorations: () => cold('(x|)', { x: decoration }) },
      });
      const draft$ = demandOn(nodeWith(api)).pipe(
        concatMap((demand) => demand.proposals$.pipe(take(1))),
        concatMap((offer) => offer.respond()),
      );
      expectObservable(draft$, unsub).toBe('-');
      expectSubscriptions(counter.subscriptions).toBe('-^-!');
    });
  });
});
