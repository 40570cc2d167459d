import type { Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MarketEventDto } from '../src/api/types/market.js';
import { MAX_EVENTS_PER_BATCH, MAX_EVENTS_PER_COLLECT, deepCollect } from '../src/resources/deepCollect.js';

let testScheduler: TestScheduler;

beforeEach(() => {
  testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

const offer = (n: number): MarketEventDto => ({
  eventType: 'ProposalEvent',
  eventDate: '2024-05-28T15:00:01.2Z',
  proposal: {
    proposalId: `p${n}`,
    issuerId: '0xprovider',
    state: 'Initial',
    timestamp: '2024-05-28T15:00:00Z',
    properties: {},
    constraints: '',
  },
});

/** A consuming queue of `queued` offers: each collect takes up to 100 of what is left. */
function queueOf(queued: number) {
  let next = 0;
  const timeouts: number[] = [];
  const take = (): MarketEventDto[] => {
    const n = Math.min(MAX_EVENTS_PER_COLLECT, queued - next);
    const events = Array.from({ length: n }, (_, i) => offer(next + i));
    next += n;
    return events;
  };
  return { timeouts, take };
}

describe('deepCollect', () => {
  it('a short batch is the whole answer: no further collect', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const queue = queueOf(20);
      const collect = (timeout: number): Observable<readonly MarketEventDto[]> => {
        queue.timeouts.push(timeout);
        return cold('--(a|)', { a: queue.take() });
      };
      expectObservable(deepCollect(collect, 5)).toBe('--(a|)', {
        a: Array.from({ length: 20 }, (_, i) => offer(i)),
      });
      testScheduler.flush();
      expect(queue.timeouts).toEqual([5]);
    });
  });

  it('drains a deep queue in parallel rounds of immediate collects, 8 then 16, until one comes back short', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const queue = queueOf(2_000);
      const collect = (timeout: number): Observable<readonly MarketEventDto[]> => {
        queue.timeouts.push(timeout);
        return cold('--(a|)', { a: queue.take() });
      };
      // the long-poll at 0–2 (100), round one at 2–4 (800), round two at 4–6 (11 of 16 bring
      // the last 1,100): three round trips instead of twenty
      expectObservable(deepCollect(collect, 5)).toBe('------(a|)', {
        a: Array.from({ length: 2_000 }, (_, i) => offer(i)),
      });
      testScheduler.flush();
      expect(queue.timeouts).toEqual([5, ...Array<number>(8).fill(0), ...Array<number>(16).fill(0)]);
    });
  });

  it('delivers a queue that never runs dry in batches of at most 3,000 events', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const queue = queueOf(1_000_000);
      const collect = (timeout: number): Observable<readonly MarketEventDto[]> => {
        queue.timeouts.push(timeout);
        return cold('-(a|)', { a: queue.take() });
      };
      // 100, then rounds of 8 (800) and 16 (1,600), then 5 more to reach 3,000
      expectObservable(deepCollect(collect, 5)).toBe('----(a|)', {
        a: Array.from({ length: MAX_EVENTS_PER_BATCH }, (_, i) => offer(i)),
      });
      testScheduler.flush();
      expect(queue.timeouts).toEqual([
        5,
        ...Array<number>(8).fill(0),
        ...Array<number>(16).fill(0),
        ...Array<number>(5).fill(0),
      ]);
    });
  });

  it('emits every event once, the long-poll first, in the order of the collects', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const queue = queueOf(950);
      const collect = (): Observable<readonly MarketEventDto[]> => cold('-(a|)', { a: queue.take() });
      const all = Array.from({ length: 950 }, (_, i) => offer(i));
      expectObservable(deepCollect(collect, 5)).toBe('---(a|)', { a: all });
    });
  });

  it('a failing drain collect ends the draining and keeps what the others brought', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const queue = queueOf(1_000);
      let calls = 0;
      const collect = (): Observable<readonly MarketEventDto[]> => {
        calls++;
        return calls === 3 ? cold('-#', {}, new Error('boom')) : cold('-(a|)', { a: queue.take() });
      };
      // the long-poll (100) and 7 of round one's 8 (700): the failure stops a second round
      expectObservable(deepCollect(collect, 5)).toBe('--(a|)', {
        a: Array.from({ length: 800 }, (_, i) => offer(i)),
      });
    });
  });

  it("errors with the long-poll's own error", () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const error = new Error('down');
      expectObservable(deepCollect(() => cold('-#', {}, error), 5)).toBe('-#', {}, error);
    });
  });
});
