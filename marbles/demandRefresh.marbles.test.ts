/**
 * `node.demand$` keeps its demand on the market: a new demand `refresh.margin` before the current
 * one expires, and at once when yagna has lost it (404 on its poll, as after a restart); the new
 * demand polls before the old one is unsubscribed; no proposal twice; every demand released.
 */
import { type Observable, map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import type { DemandOfferBaseDto } from '../src/api/types/index.js';
import { YagnaBadRequestError } from '../src/api/errors/YagnaBadRequestError.js';
import { YagnaNotFoundError } from '../src/api/errors/YagnaNotFoundError.js';
import { YagnaServerError } from '../src/api/errors/YagnaServerError.js';
import { GolemNode } from '../src/node/GolemNode.js';
import type { NodeApi } from '../src/resources/NodeApi.js';
import { offerEvent } from '../test/resources/support/fixtures.js';
import { sequence, stubApi } from '../test/resources/support/stubApi.js';

let testScheduler: TestScheduler;

beforeEach(() => {
  testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

function nodeWith(api: NodeApi): GolemNode {
  return new GolemNode({
    api,
    scheduler: testScheduler,
    minPollIntervalMs: 0,
    random: () => 0,
    backoff: { initialMs: 3, jitter: 0 },
  });
}

type Poll = Observable<unknown>;

/** `collectOffers` answering each demand from its own script. */
function pollsOf(scripts: Record<string, Poll[]>): (id: string) => Poll {
  const queues = Object.fromEntries(Object.entries(scripts).map(([id, polls]) => [id, sequence(polls)]));
  return (id) => {
    const next = queues[id];
    if (next === undefined) throw new Error(`collectOffers(${id}) was not scripted`);
    return next();
  };
}

const expirationOf = (body: DemandOfferBaseDto): unknown => body.properties['golem.srv.comp.expiration'];
const notFound = new YagnaNotFoundError('Subscription [d1] not found.', { status: 404 });

describe('node.demand$ refresh', () => {
  it('republishes margin before expiry, polls the new demand before unsubscribing the old, emits the old one’s proposals until it is gone', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions, flush }) => {
      // expiration 20, margin 4: d2 is published at 16 (expiring at 36)
      // prettier-ignore
      const publish1 = cold('-(d|)', { d: 'd1' });
      const publish2 = cold('                -(d|)', { d: 'd2' });
      const d1poll1 = cold(' --(b|)', { b: [offerEvent('p1')] });
      const d1poll2 = cold('   ---------------(b|)', { b: [offerEvent('p3')] });
      const d1poll3 = cold('                  -');
      const d2poll1 = cold('                 --(b|)', { b: [offerEvent('p4')] });
      const d2poll2 = cold('                   -');
      const unsub1 = cold('                  --|');
      const unsub2 = cold('                          -|');
      const sub = '         ^-----------------------!';
      const expected = '    ---a--------------bc----';

      const subscribeDemand = sequence([publish1, publish2]);
      const unsubscribeDemand = sequence([unsub1, unsub2]);
      const polls = pollsOf({ d1: [d1poll1, d1poll2, d1poll3], d2: [d2poll1, d2poll2] });
      const calls: string[] = [];
      const api = stubApi({
        market: {
          subscribeDemand,
          collectOffers: (id: string) => (calls.push(`poll ${id}`), polls(id)),
          unsubscribeDemand: (id: string) => (calls.push(`unsubscribe ${id}`), unsubscribeDemand(id)),
        },
      });
      const demand$ = nodeWith(api)
        .demand$({ payload: {}, expiration: 20, refresh: { margin: 4 } })
        .pipe(map((p) => p.id));

      expectObservable(demand$, sub).toBe(expected, { a: 'p1', b: 'p3', c: 'p4' });
      expectSubscriptions(publish1.subscriptions).toBe('^!');
      expectSubscriptions(publish2.subscriptions).toBe('----------------^!');
      expectSubscriptions(d1poll1.subscriptions).toBe('-^-!');
      expectSubscriptions(d1poll2.subscriptions).toBe('---^--------------!');
      expectSubscriptions(d1poll3.subscriptions).toBe('------------------^!');
      expectSubscriptions(d2poll1.subscriptions).toBe('-----------------^-!');
      expectSubscriptions(d2poll2.subscriptions).toBe('-------------------^----!');
      // d1 is unsubscribed once d2's poll runs (17), d2 when the subscriber leaves (24)
      expectSubscriptions(unsub1.subscriptions).toBe('-----------------^-!');
      expectSubscriptions(unsub2.subscriptions).toBe('------------------------^!');
      flush();
      expect(subscribeDemand.calls.map(([body]) => expirationOf(body as DemandOfferBaseDto))).toEqual([
        20, 36,
      ]);
      // within frame 17: d2's poll is started before d1 is unsubscribed
      expect(calls).toEqual([
        'poll d1',
        'poll d1',
        'poll d2',
        'unsubscribe d1',
        'poll d1',
        'poll d2',
        'unsubscribe d2',
      ]);
    });
  });

  it('republishes at once when yagna lost the demand (404 on its poll), without unsubscribing the lost one', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions, flush }) => {
      // prettier-ignore
      const publish1 = cold('-(d|)', { d: 'd1' });
      const publish2 = cold('    -(d|)', { d: 'd2' });
      const d1poll1 = cold(' -(b|)', { b: [offerEvent('p1')] });
      const d1poll2 = cold('  --#', undefined, notFound);
      const d2poll1 = cold('     -(b|)', { b: [offerEvent('p2')] });
      const d2poll2 = cold('      -');
      const unsub2 = cold('          -|');
      const sub = '         ^--------!';
      const expected = '    --a---b---';

      const subscribeDemand = sequence([publish1, publish2]);
      const unsubscribeDemand = sequence([unsub2]);
      const api = stubApi({
        market: {
          subscribeDemand,
          collectOffers: pollsOf({ d1: [d1poll1, d1poll2], d2: [d2poll1, d2poll2] }),
          unsubscribeDemand,
        },
      });
      const node = nodeWith(api);
      const demand$ = node.demand$({ payload: {}, expiration: 100 }).pipe(map((p) => p.id));

      expectObservable(demand$, sub).toBe(expected, { a: 'p1', b: 'p2' });
      expectSubscriptions(publish2.subscriptions).toBe('----^!');
      expectSubscriptions(d1poll2.subscriptions).toBe('--^-!');
      expectSubscriptions(d2poll1.subscriptions).toBe('-----^!');
      expectSubscriptions(unsub2.subscriptions).toBe('---------^!');
      flush();
      expect(node.demand('d1').closed).toBe(true);
      expect(unsubscribeDemand.calls.map(([id]) => id)).toEqual(['d2']);
      // the new demand lives as long as the first: 100 from its publication at 4
      expect(subscribeDemand.calls.map(([body]) => expirationOf(body as DemandOfferBaseDto))).toEqual([
        100, 104,
      ]);
    });
  });

  it('without refresh, completes when the demand is gone', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      // prettier-ignore
      const publish = cold('-(d|)', { d: 'd1' });
      const d1poll1 = cold('-(b|)', { b: [offerEvent('p1')] });
      const d1poll2 = cold(' --#', undefined, notFound);
      const expected = '   --a-|';

      const api = stubApi({
        market: { subscribeDemand: () => publish, collectOffers: pollsOf({ d1: [d1poll1, d1poll2] }) },
      });
      const demand$ = nodeWith(api)
        .demand$({ payload: {}, refresh: false })
        .pipe(map((p) => p.id));
      expectObservable(demand$).toBe(expected, { a: 'p1' });
    });
  });

  it('emits no proposal twice: one the new demand repeats is not emitted again; a late subscriber gets new ones only', () => {
    testScheduler.run(({ cold, expectObservable, flush }) => {
      // expiration 10, margin 2: d2 is published at 8
      // prettier-ignore
      const publish1 = cold('-(d|)', { d: 'd1' });
      const publish2 = cold('        -(d|)', { d: 'd2' });
      const d1poll1 = cold(' -(b|)', { b: [offerEvent('p1'), offerEvent('p2')] });
      const d1poll2 = cold('  -');
      const d2poll1 = cold('         -(b|)', { b: [offerEvent('p1'), offerEvent('p3')] });
      const d2poll2 = cold('          -');
      const unsub = cold('             -|');
      const subA = '        ^----------!';
      const subB = '        -----^-----!';
      const expectedA = '   --(ab)----c-';
      const expectedB = '   ----------c-';

      const api = stubApi({
        market: {
          subscribeDemand: sequence([publish1, publish2]),
          collectOffers: pollsOf({ d1: [d1poll1, d1poll2], d2: [d2poll1, d2poll2] }),
          unsubscribeDemand: () => unsub,
        },
      });
      const demand$ = nodeWith(api)
        .demand$({ payload: {}, expiration: 10, refresh: { margin: 2 } })
        .pipe(map((p) => p.id));

      const values = { a: 'p1', b: 'p2', c: 'p3' };
      expectObservable(demand$, subA).toBe(expectedA, values);
      expectObservable(demand$, subB).toBe(expectedB, values);
      flush();
    });
  });

  it('when the last subscriber leaves mid-refresh: unsubscribes the old demand, and the new one when it lands', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions, flush }) => {
      // prettier-ignore
      const publish1 = cold('-(d|)', { d: 'd1' });
      const publish2 = cold('        ---(d|)', { d: 'd2' });
      const d1poll = cold('  -');
      const unsub1 = cold('           -|');
      const unsub2 = cold('             -|');
      const sub = '         ^--------!';

      const unsubscribeDemand = sequence([unsub1, unsub2]);
      const api = stubApi({
        market: {
          subscribeDemand: sequence([publish1, publish2]),
          collectOffers: pollsOf({ d1: [d1poll] }),
          unsubscribeDemand,
        },
      });
      const demand$ = nodeWith(api).demand$({ payload: {}, expiration: 10, refresh: { margin: 2 } });

      expectObservable(demand$, sub).toBe('-');
      // the POST of d2 is not aborted: what it creates is released when it lands
      expectSubscriptions(publish2.subscriptions).toBe('--------^--!');
      expectSubscriptions(d1poll.subscriptions).toBe('-^-------!');
      expectSubscriptions(unsub1.subscriptions).toBe('---------^!');
      expectSubscriptions(unsub2.subscriptions).toBe('-----------^!');
      flush();
      expect(unsubscribeDemand.calls.map(([id]) => id)).toEqual(['d1', 'd2']);
    });
  });

  it('retries a republication on a transient failure; the old demand serves meanwhile', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // expiration 10, margin 2: d2 at 8 fails (503) at 9, retried after 3 (backoff) at 12
      // prettier-ignore
      const publish1 = cold('-(d|)', { d: 'd1' });
      const publish2 = cold('        -#', undefined, new YagnaServerError('busy', { status: 503 }));
      const publish3 = cold('            -(d|)', { d: 'd2' });
      const d1poll1 = cold(' -------(b|)', { b: [offerEvent('p1')] });
      const d1poll2 = cold('        -');
      const d2poll = cold('              -(b|)', { b: [offerEvent('p2')] });
      const d2poll2 = cold('               -');
      const unsub = cold('               -|');
      const sub = '         ^---------------!';
      const expected = '    --------a-----b--';

      const api = stubApi({
        market: {
          subscribeDemand: sequence([publish1, publish2, publish3]),
          collectOffers: pollsOf({ d1: [d1poll1, d1poll2], d2: [d2poll, d2poll2] }),
          unsubscribeDemand: () => unsub,
        },
      });
      const demand$ = nodeWith(api)
        .demand$({ payload: {}, expiration: 10, refresh: { margin: 2 } })
        .pipe(map((p) => p.id));

      expectObservable(demand$, sub).toBe(expected, { a: 'p1', b: 'p2' });
      expectSubscriptions(publish3.subscriptions).toBe('------------^!');
      // d1 polls until it is unsubscribed, after d2's poll started (13)
      expectSubscriptions(d1poll2.subscriptions).toBe('--------^-----!');
    });
  });

  it('errors when a republication fails for good, and unsubscribes the open demand', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const publish1 = cold('-(d|)', { d: 'd1' });
      const publish2 = cold('        -#', undefined, new YagnaBadRequestError('bad', { status: 400 }));
      const d1poll = cold('  -');
      const unsub1 = cold('           -|');
      const expected = '    ---------#';

      const api = stubApi({
        market: {
          subscribeDemand: sequence([publish1, publish2]),
          collectOffers: pollsOf({ d1: [d1poll] }),
          unsubscribeDemand: () => unsub1,
        },
      });
      const demand$ = nodeWith(api).demand$({ payload: {}, expiration: 10, refresh: { margin: 2 } });

      expectObservable(demand$).toBe(expected, undefined, new YagnaBadRequestError('bad', { status: 400 }));
      expectSubscriptions(d1poll.subscriptions).toBe('-^-------!');
      expectSubscriptions(unsub1.subscriptions).toBe('---------^!');
    });
  });

  it('checks its options synchronously', () => {
    const node = new GolemNode({ api: stubApi({}), scheduler: testScheduler });
    expect(() => node.demand$({ payload: {}, refresh: { margin: -1 } })).toThrow(RangeError);
    expect(() => node.demand$({ payload: {}, refresh: { subscriptionTtl: 0 } })).toThrow(RangeError);
    expect(() => node.demand$({ payload: {}, expiration: -5 })).toThrow(RangeError);
  });
});
