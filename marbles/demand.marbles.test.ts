import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { ResourceOperationFailed } from '../src/resources/events.js';
import { GolemNode } from '../src/node/GolemNode.js';
import { offerEvent } from '../test/resources/support/fixtures.js';
import { sequence, stubApi } from '../test/resources/support/stubApi.js';
import type { NodeApi } from '../src/resources/NodeApi.js';

let testScheduler: TestScheduler;

beforeEach(() => {
  testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

function nodeWith(api: NodeApi): GolemNode {
  return new GolemNode({ api, scheduler: testScheduler, minPollIntervalMs: 0, random: () => 0 });
}

describe('node.demand$', () => {
  it('publishes the demand at the first subscription and unsubscribes it when the last subscriber leaves', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const subscribe = cold('--(d|)', { d: 'demand-1' });
      const poll1 = cold('       ---(b|)', { b: [offerEvent('p1'), offerEvent('p2')] });
      const poll2 = cold('          ----(b|)', { b: [offerEvent('p3')] });
      const poll3 = cold('              -');
      const unsubscribe = cold('               -|');
      const subA = '   ^------!';
      const subB = '   ---^--------!';
      const expectedA = '-----(ab)';
      const expectedB = '-----(ab)c';

      const collectOffers = sequence([poll1, poll2, poll3]);
      const api = stubApi({
        market: { subscribeDemand: () => subscribe, collectOffers, unsubscribeDemand: () => unsubscribe },
      });
      const demand$ = nodeWith(api)
        .demand$({ payload: {} })
        .pipe(map((proposal) => proposal.id));

      expectObservable(demand$, subA).toBe(expectedA, { a: 'p1', b: 'p2' });
      expectObservable(demand$, subB).toBe(expectedB, { a: 'p1', b: 'p2', c: 'p3' });
      expectSubscriptions(subscribe.subscriptions).toBe('^-!');
      expectSubscriptions(poll1.subscriptions).toBe('--^--!');
      expectSubscriptions(poll2.subscriptions).toBe('-----^---!');
      expectSubscriptions(poll3.subscriptions).toBe('---------^--!');
      expectSubscriptions(unsubscribe.subscriptions).toBe('------------^!');
      testScheduler.flush();
      expect(collectOffers.calls.map(([id]) => id)).toEqual(['demand-1', 'demand-1', 'demand-1']);
    });
  });

  it('unsubscribes a demand published after the last subscriber left (never leaks it)', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const subscribe = cold('----(d|)', { d: 'demand-1' });
      const unsubscribe = cold('    --|');
      const sub = '           ^-!';
      const expected = '      ---';

      const api = stubApi({
        market: { subscribeDemand: () => subscribe, unsubscribeDemand: () => unsubscribe },
      });
      expectObservable(nodeWith(api).demand$({ payload: {} }), sub).toBe(expected);
      // the POST is not aborted: it may already have reached yagna
      expectSubscriptions(subscribe.subscriptions).toBe('^---!');
      expectSubscriptions(unsubscribe.subscriptions).toBe('----^-!');
    });
  });

  it('errors when publishing fails, and does not poll', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const subscribe = cold('--#', undefined, new Error('400'));
      const expected = '      --#';

      const api = stubApi({ market: { subscribeDemand: () => subscribe } });
      expectObservable(nodeWith(api).demand$({ payload: {} })).toBe(expected, undefined, new Error('400'));
      expectSubscriptions(subscribe.subscriptions).toBe('^-!');
    });
  });

  it('reports a failed background unsubscribe as ResourceOperationFailed', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions, flush }) => {
      // prettier-ignore
      const subscribe = cold('-(d|)', { d: 'demand-1' });
      const poll = cold('      -');
      const unsubscribe = cold('    --#', undefined, new Error('503'));
      const sub = '           ^---!';

      const api = stubApi({
        market: {
          subscribeDemand: () => subscribe,
          collectOffers: () => poll,
          unsubscribeDemand: () => unsubscribe,
        },
      });
      const node = nodeWith(api);
      const failures: string[] = [];
      node.events.events$.subscribe((e) => {
        if (e instanceof ResourceOperationFailed)
          failures.push(`${e.operation}:${(e.error as Error).message}`);
      });
      expectObservable(node.demand$({ payload: {} }), sub).toBe('-');
      expectSubscriptions(unsubscribe.subscriptions).toBe('----^-!');
      flush();
      expect(failures).toEqual(['unsubscribe:503']);
      expect(node.demand('demand-1').closed).toBe(false);
    });
  });
});
