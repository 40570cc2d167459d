import { VirtualTimeScheduler, lastValueFrom, map, take, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { isAgreementNotApprovedError } from '../../src/errors/AgreementNotApprovedError.js';
import { isProposalRejectedError } from '../../src/resources/errors/ProposalRejectedError.js';
import { isSimulatedFailureError } from '../../src/errors/SimulatedFailureError.js';
import { createActivity } from '../../src/operators/createActivity.js';
import { createAgreement } from '../../src/operators/createAgreement.js';
import type { OperatorEvent } from '../../src/operators/events.js';
import { negotiate } from '../../src/operators/negotiate.js';
import { score } from '../../src/operators/score.js';
import { leastExpensiveLinearPayu } from '../../src/strategies/index.js';
import { createInMemoryYagna } from '../../src/testing/inMemoryYagna.js';

describe('the in-memory yagna', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('runs score → negotiate → createAgreement → createActivity in virtual time, and counts', () => {
    const yagna = createInMemoryYagna({ scheduler: testScheduler });
    testScheduler.run(({ expectObservable }) => {
      yagna.addProvider({ id: 'dear', price: { cpuSec: '0.0003' } });
      yagna.addProvider({ id: 'cheap', price: { cpuSec: '0.0001' }, offerAt: 1 });
      yagna.addProvider({ id: 'mid', price: { cpuSec: '0.0002' }, offerAt: 1 });
      const activities$ = yagna.proposals$.pipe(
        score(leastExpensiveLinearPayu(), { minProposals: 3 }),
        negotiate(2),
        createAgreement({ concurrency: 2 }),
        createActivity(),
        map((activity) => activity.agreement.providerId),
      );
      // offers at 0 and 1; counters at 1 (respond 2) → drafts at 3; agreement 1 + confirm 1 +
      // approval 1 → 6; activity 1 + deploy 1 → 8. A lease frees when its activity is handed on
      // (8): dear's counter → draft at 10 → agreement at 13 → activity at 15
      expectObservable(activities$).toBe('--------(cm)---(d|)', {
        c: 'cheap',
        m: 'mid',
        d: 'dear',
      });
    });
    expect(yagna.stats).toMatchObject({
      offers: 3,
      countersSent: 3,
      countersAnswered: 3,
      maxCountersInFlight: 2,
      agreementsCreated: 3,
      agreementsConfirmed: 3,
      agreementsApproved: 3,
      activitiesCreated: 3,
      activitiesStarted: 3,
      callsAborted: 0,
    });
    expect(yagna.agreements.map((a) => a.state)).toEqual(['Approved', 'Approved', 'Approved']);
    expect(yagna.activities.map((a) => a.state)).toEqual(['Ready', 'Ready', 'Ready']);
  });

  it('simulates rejected counters, rejected and undecided agreements, failed deploys', () => {
    const events: OperatorEvent[] = [];
    const yagna = createInMemoryYagna({ scheduler: testScheduler });
    testScheduler.run(({ expectObservable }) => {
      yagna.addProvider({ id: 'no-counter', behaviour: { counter: 'reject' } });
      yagna.addProvider({ id: 'no-approval', behaviour: { approval: 'reject' } });
      yagna.addProvider({ id: 'undecided', behaviour: { approval: 'never' } });
      yagna.addProvider({ id: 'no-deploy', behaviour: { activity: 'failDeploy' } });
      yagna.addProvider({ id: 'good' });
      const onEvent = (e: OperatorEvent) => events.push(e);
      const result = yagna.proposals$.pipe(
        negotiate(5, { onEvent }),
        createAgreement({ concurrency: 5, approvalTimeout: 10, onEvent }),
        createActivity({ onEvent }),
        map((activity) => activity.agreement.providerId),
      );
      // drafts at 2; approvals (or not) at 5; good's activity at 7; undecided times out at 4 + 10
      expectObservable(result).toBe('-------g------|', { g: 'good' });
    });
    const byType = (type: OperatorEvent['type']) => events.filter((e) => e.type === type);
    expect(byType('counterFailed').map((e) => 'error' in e && isProposalRejectedError(e.error))).toEqual([
      true,
    ]);
    const failed = byType('agreementFailed');
    expect(failed).toHaveLength(2);
    expect(failed.every((e) => 'error' in e && isAgreementNotApprovedError(e.error))).toBe(true);
    const activityFailed = byType('activityFailed');
    expect(activityFailed.map((e) => 'error' in e && isSimulatedFailureError(e.error))).toEqual([true]);
    expect(byType('cleanupFailed')).toEqual([]);
    expect(yagna.stats).toMatchObject({
      countersSent: 5,
      countersRejected: 1,
      agreementsCreated: 4,
      agreementsApproved: 2,
      agreementsNotApproved: 2, // the rejection, and the undecided one when its wait timed out
      agreementsCancelled: 1, // the undecided one, withdrawn by createAgreement
      agreementsTerminated: 1, // the one whose activity failed
      activitiesFailed: 1,
      activitiesDestroyed: 1,
      activitiesStarted: 1,
    });
    expect(yagna.provider('undecided')).toBeDefined();
    expect(yagna.agreements.map((a) => `${a.providerId}:${a.state}`)).toEqual([
      'no-approval:Rejected',
      'undecided:Cancelled',
      'no-deploy:Terminated',
      'good:Approved',
    ]);
  });

  it('counts aborted calls when the consumer unsubscribes, and rejects queued drafts', () => {
    const yagna = createInMemoryYagna({ scheduler: testScheduler, behaviour: { times: { respond: 5 } } });
    testScheduler.run(({ expectObservable }) => {
      for (let i = 0; i < 4; i++) yagna.addProvider();
      const result = yagna.proposals$.pipe(
        negotiate(3),
        createAgreement(),
        take(1),
        map((a) => a.id),
      );
      // counters at 0, drafts at 5; one signed (agreement 1 + confirm 1 + approval 1) at 8;
      // take(1) aborts nothing in flight then: the two queued drafts are rejected
      expectObservable(result).toBe('--------(a|)', { a: 'agreement-1' });
    });
    expect(yagna.stats).toMatchObject({ countersSent: 3, draftsRejected: 2, callsAborted: 0 });

    const slow = createInMemoryYagna({ scheduler: testScheduler, behaviour: { counter: 'silent' } });
    testScheduler.run(({ expectObservable }) => {
      slow.addProvider();
      slow.addProvider();
      expectObservable(slow.proposals$.pipe(negotiate(2)), '^---!').toBe('-');
    });
    expect(slow.stats).toMatchObject({ countersSent: 2, countersInFlight: 0, callsAborted: 2 });
  });

  it('never aborts a create call: what it makes after an unsubscribe is released, as on yagna', () => {
    const yagna = createInMemoryYagna({ scheduler: testScheduler });
    testScheduler.run(({ expectObservable }) => {
      yagna.addProvider({ id: 'quick' });
      yagna.addProvider({ id: 'slow', behaviour: { times: { createAgreement: 10 } } });
      const result = yagna.proposals$.pipe(
        negotiate(2),
        createAgreement({ concurrency: 2 }),
        take(1),
        map((a) => a.providerId),
      );
      // quick: drafts at 2, signed at 5; slow's createAgreement (2 → 12) is abandoned at 5
      expectObservable(result).toBe('-----(q|)', { q: 'quick' });
    });
    expect(yagna.stats).toMatchObject({
      agreementsCreated: 2,
      agreementsCancelled: 1,
      draftsRejected: 1, // createAgreement withdrew the draft it had not turned into an agreement
      callsAborted: 0,
    });
    expect(yagna.agreements.map((a) => `${a.providerId}:${a.state}`)).toEqual([
      'quick:Approved',
      'slow:Cancelled',
    ]);
  });

  it('runs the example of docs/testing.md', () => {
    testScheduler.run(({ expectObservable }) => {
      const yagna = createInMemoryYagna({
        providers: [{ price: { cpuSec: '0.0003' } }, { price: { cpuSec: '0.0001' }, offerAt: 1 }],
        behaviour: { times: { approval: 5 } },
      });
      const activities$ = yagna.proposals$.pipe(
        score(leastExpensiveLinearPayu(), { minProposals: 2 }),
        negotiate(2),
        createAgreement({ concurrency: 2 }),
        createActivity(),
      );
      expectObservable(activities$.pipe(map((a) => a.agreement.providerId))).toBe('------------(ab|)', {
        a: 'provider-2',
        b: 'provider-1',
      });
    });
  });

  it('decides outcomes by attempt', () => {
    const yagna = createInMemoryYagna({ scheduler: testScheduler });
    testScheduler.run(({ expectObservable }) => {
      const provider = yagna.addProvider({ behaviour: { counter: (n) => (n === 1 ? 'reject' : 'accept') } });
      const twice = testScheduler.createColdObservable('a-a|', { a: 0 }).pipe(map(() => provider.propose()));
      expectObservable(
        twice.pipe(
          negotiate(2),
          map(({ draft }) => draft.id),
        ),
      ).toBe('----(d|)', {
        d: 'provider-1-offer-2-draft-1',
      });
    });
    expect(yagna.stats).toMatchObject({ countersSent: 2, countersRejected: 1, countersAnswered: 1 });
  });

  it('enforces the agreement state machine', () => {
    // direct calls on the resources
    const scheduler = new VirtualTimeScheduler();
    const direct = createInMemoryYagna({ scheduler, providers: [{}] });
    const outcome: string[] = [];
    const offer = direct.providers[0]!.propose();
    offer.respond().subscribe((draft) =>
      draft.createAgreement({}).subscribe((agreement) => {
        agreement.waitForApproval(10).subscribe({ error: (e: Error) => outcome.push(`wait: ${e.name}`) });
        agreement.terminate().subscribe({ error: (e: Error) => outcome.push(`terminate: ${e.name}`) });
        agreement.createActivity().subscribe({ error: (e: Error) => outcome.push(`activity: ${e.name}`) });
        agreement.confirm().subscribe({ complete: () => outcome.push('confirmed') });
      }),
    );
    scheduler.flush();
    expect(outcome).toEqual([
      'wait: AgreementNotApprovedError',
      'terminate: SimulatedFailureError',
      'activity: SimulatedFailureError',
      'confirmed',
    ]);
  });

  it('runs on a VirtualTimeScheduler outside TestScheduler.run', async () => {
    const scheduler = new VirtualTimeScheduler();
    const yagna = createInMemoryYagna({ scheduler, providers: [{}, {}, {}] });
    const done = lastValueFrom(
      yagna.proposals$.pipe(
        negotiate(2, { scheduler }),
        createAgreement({ concurrency: 2, scheduler }),
        map((a) => a.providerId),
        toArray(),
      ),
    );
    scheduler.flush();
    expect((await done).sort()).toEqual(['provider-1', 'provider-2', 'provider-3']);
    expect(scheduler.now()).toBeGreaterThan(0);
  });

  it('validates its configuration', () => {
    expect(() => createInMemoryYagna({ behaviour: { times: { respond: -1 } } })).not.toThrow(); // no provider yet
    expect(() => createInMemoryYagna({ providers: [{ behaviour: { times: { respond: -1 } } }] })).toThrow(
      RangeError,
    );
    expect(() => createInMemoryYagna({ providers: [{ id: 'p' }, { id: 'p' }] })).toThrow(RangeError);
    expect(() => createInMemoryYagna({ providers: [{ offerAt: Number.NaN }] })).toThrow(RangeError);
  });
});
