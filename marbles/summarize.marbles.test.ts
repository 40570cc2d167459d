import { Decimal } from 'decimal.js';
import { map, take } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../src/engine/events.js';
import { SummaryLogger } from '../src/engine/SummaryLogger.js';
import { type SummaryReport, summarize } from '../src/engine/summarize.js';
import { Task } from '../src/engine/Task.js';

type Event = EngineEvent<number, number>;

const task = new Task<number, number>(1, { id: 't1' });
const ev = {
  j: { type: 'jobStarted', maxWorkers: 2, budget: new Decimal(1), subnet: 'beta' },
  p: { type: 'demandPublished', round: 1 },
  o: { type: 'proposalReceived', proposalId: 'o1', providerId: 'P1' },
  q: { type: 'proposalReceived', proposalId: 'o2', providerId: 'P2' },
  x: { type: 'proposalRejected', proposalId: 'o1', providerId: 'P1', reason: 'score' },
  c: {
    type: 'proposalRejected',
    proposalId: 'o2',
    providerId: 'P2',
    reason: 'counter',
    error: new Error('no'),
  },
  s: { type: 'agreementSigned', agreementId: 'a1', providerId: 'P2' },
  w: { type: 'workerStarted', providerId: 'P2', agreementId: 'a1', activityId: 'x1' },
  r: { type: 'taskRetried', task, providerId: 'P2', attempt: 1, error: new Error('bad') },
  f: { type: 'taskFinished', task, result: 2, providerId: 'P2', attempt: 2 },
  e: { type: 'workerFinished', providerId: 'P2', agreementId: 'a1', activityId: 'x1', error: undefined },
  d: {
    type: 'done',
    tasks: { total: 1, finished: 1, failed: 0 },
    totalCost: new Decimal('0.25'),
    stopped: undefined,
  },
} satisfies Record<string, Event>;

describe('summarize', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('emits a noOffers diagnostic when no offer arrives, naming the subnet', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const e1 = hot<Event>('  jp--------------', ev);
      const e1subs = '        ^-----------!';
      const unsub = '         ^-----------!';
      const expected = '      -----------N';
      const result = e1.pipe(
        summarize({ noOffersTimeout: 10, scheduler: testScheduler }),
        map((r) => r.type),
      );
      expectObservable(result, unsub).toBe(expected, { N: 'noOffers' });
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  it('names the likely causes with rejection counts when offers are all rejected', () => {
    let report: SummaryReport | undefined;
    testScheduler.run(({ hot, expectObservable }) => {
      // prettier-ignore
      const e1 = hot<Event>(' jpoqxc-----------', ev);
      const result = e1.pipe(summarize({ noOffersTimeout: 10, scheduler: testScheduler }), take(1));
      expectObservable(result.pipe(map((r) => (report = r).type))).toBe('-----------(N|)', { N: 'noOffers' });
    });
    expect(report).toEqual({
      type: 'noOffers',
      afterMs: 10,
      subnet: 'beta',
      proposalsReceived: 2,
      rejections: { score: 1, expired: 0, provider: 0, counter: 1, draft: 0 },
      likelyCauses: [
        'the strategy dropped 1 of 2 offers: its price caps or filters may be too strict',
        'providers rejected 1 counter-proposals (payment platform, debit-note terms, busy)',
      ],
    });
  });

  it('stays quiet once an agreement is signed, and summarizes at done', () => {
    let report: SummaryReport | undefined;
    testScheduler.run(({ cold, expectObservable }) => {
      // prettier-ignore
      const e1 = cold<Event>('  jpoqs-w-r-f-e-------------d|', ev);
      const expected = '        --------------------------S|';
      const result = e1.pipe(summarize({ noOffersTimeout: 10, scheduler: testScheduler }));
      expectObservable(result.pipe(map((r) => (report = r).type))).toBe(expected, { S: 'summary' });
    });
    expect(report).toEqual({
      type: 'summary',
      providersSeen: 2,
      agreements: 1,
      tasksPerProvider: { P2: 1 },
      tasks: { finished: 1, failed: 0 },
      failures: { retries: 1, workers: 0, agreements: 0, activities: 0, payments: 0, excludedProviders: 0 },
      totalCost: new Decimal('0.25'),
      stopped: undefined,
    });
  });

  it('forwards the source error', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const e1 = cold<Event>('j-#', ev);
      expectObservable(e1.pipe(summarize({ scheduler: testScheduler }))).toBe('--#');
    });
  });

  it('completes with an empty source, with a summary', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      expectObservable(
        cold<Event>('|').pipe(
          summarize(),
          map((r) => r.type),
        ),
      ).toBe('(S|)', { S: 'summary' });
    });
  });

  it('SummaryLogger passes events through and writes the reports', () => {
    const lines: string[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const e1 = cold<Event>('jpoqs-w-f-e-d|', ev);
      const logger = new SummaryLogger({
        write: (line) => lines.push(line),
        scheduler: testScheduler,
        noOffersTimeout: 100,
      });
      expectObservable(e1.pipe(logger.tap())).toBe('jpoqs-w-f-e-d|', ev);
    });
    expect(lines).toEqual([
      '1 tasks done, 0 failed · 2 providers seen · 1 agreements · cost 0.25 GLM',
      '  P2: 1 tasks',
    ]);
  });
});
