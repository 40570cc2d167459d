import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import type { GolemEvent } from '../src/bus/events.js';
import { ResourceEvent } from '../src/bus/events.js';
import { AgreementNotApprovedError } from '../src/errors/AgreementNotApprovedError.js';
import { YagnaConflictError } from '../src/api/errors/YagnaConflictError.js';
import { YagnaGoneError } from '../src/api/errors/YagnaGoneError.js';
import { YagnaTimeoutError } from '../src/api/errors/YagnaTimeoutError.js';
import type { MarketApi } from '../src/api/index.js';
import type { AgreementEventDto } from '../src/api/types/index.js';
import { GolemNode } from '../src/node/GolemNode.js';
import type { NodeApi } from '../src/resources/NodeApi.js';
import { agreementEvent } from '../test/resources/support/fixtures.js';
import { sequence, stubApi } from '../test/resources/support/stubApi.js';

let testScheduler: TestScheduler;

beforeEach(() => {
  testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

const pending = new YagnaTimeoutError('Timeout while waiting for Agreement [a1] approval.', { status: 408 });
const rejected = new YagnaGoneError('Rejected', { status: 410, yagnaMessage: 'Rejected' });

function nodeWith(api: NodeApi, minPollIntervalMs = 0): GolemNode {
  return new GolemNode({
    api,
    scheduler: testScheduler,
    minPollIntervalMs,
    random: () => 0,
    appSessionId: 'session-1',
  });
}

/** The resource events of `node`, as `Type:kind:id` strings. */
function resourceEvents(node: GolemNode): string[] {
  const seen: string[] = [];
  node.events.events$.subscribe((e: GolemEvent) => {
    if (e instanceof ResourceEvent) seen.push(`${e.type}:${e.resource.kind}:${e.resource.id}`);
  });
  return seen;
}

describe('agreement.waitForApproval', () => {
  it('re-issues the wait on 408 until the provider approves', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const wait1 = cold('--#', undefined, pending);
      const wait2 = cold('  ---#', undefined, pending);
      const wait3 = cold('     -|');
      const expected = '  ------|';

      const waitForApproval = sequence<Parameters<MarketApi['waitForApproval']>, typeof wait1>([
        wait1,
        wait2,
        wait3,
      ]);
      const node = nodeWith(stubApi({ market: { waitForApproval } }));
      const agreement = node.agreement('a1');
      expectObservable(agreement.waitForApproval(10_000)).toBe(expected);
      expectSubscriptions(wait1.subscriptions).toBe('^-!');
      expectSubscriptions(wait2.subscriptions).toBe('--^--!');
      expectSubscriptions(wait3.subscriptions).toBe('-----^!');
      testScheduler.flush();
      expect(agreement.approved).toBe(true);
      // the server-side timeout shrinks with what is left of the 10 s
      expect(waitForApproval.calls.map(([, params]) => params?.timeout)).toEqual([10, 9.998, 9.995]);
    });
  });

  it('keeps a floor between re-issues when yagna answers 408 at once', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const wait1 = cold('#', undefined, pending);
      const wait2 = cold('-|');
      const node = nodeWith(stubApi({ market: { waitForApproval: sequence([wait1, wait2]) } }), 1000);
      expectObservable(node.agreement('a1').waitForApproval()).toBe('1001ms |');
      expectSubscriptions(wait2.subscriptions).toBe('1s ^!');
    });
  });

  it('errors with AgreementNotApprovedError on 410 and closes the agreement', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      // prettier-ignore
      const wait = cold('--#', undefined, rejected);
      const expected = ' --#';

      const node = nodeWith(stubApi({ market: { waitForApproval: () => wait } }));
      const events = resourceEvents(node);
      const agreement = node.agreement('a1');
      agreement.setProvider('0xp');
      const error = new AgreementNotApprovedError({
        agreementId: 'a1',
        providerId: '0xp',
        outcome: 'Rejected',
      });
      expectObservable(agreement.waitForApproval()).toBe(expected, undefined, error);
      testScheduler.flush();
      expect(agreement.closed).toBe(true);
      expect(events).toEqual(['NewResource:Agreement:a1', 'ResourceClosed:Agreement:a1']);
    });
  });

  it('errors with outcome Timeout when the provider does not decide in time, aborting the wait in flight', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const wait1 = cold('---#', undefined, pending);
      const wait2 = cold('   ----------');
      const expected = '  -----#';

      const node = nodeWith(stubApi({ market: { waitForApproval: sequence([wait1, wait2]) } }));
      const agreement = node.agreement('a1');
      agreement.setProvider('0xp');
      const error = new AgreementNotApprovedError({
        agreementId: 'a1',
        providerId: '0xp',
        outcome: 'Timeout',
      });
      expectObservable(agreement.waitForApproval(5)).toBe(expected, undefined, error);
      expectSubscriptions(wait2.subscriptions).toBe('---^-!');
    });
  });
});

describe('agreement.confirm / terminate / createActivity', () => {
  it('confirms with the node\u2019s appSessionId', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const confirmAgreement = sequence([cold('-|')]);
      const node = nodeWith(stubApi({ market: { confirmAgreement } }));
      expectObservable(node.agreement('a1').confirm()).toBe('-|');
      testScheduler.flush();
      expect(confirmAgreement.calls[0]?.slice(0, 2)).toEqual(['a1', { appSessionId: 'session-1' }]);
    });
  });

  it('terminate tolerates 410 (already terminated) and closes the agreement exactly once', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const terminateAgreement = sequence([
        cold('-#', undefined, new YagnaGoneError('gone', { status: 410 })),
        cold('-|'),
      ]);
      const node = nodeWith(stubApi({ market: { terminateAgreement } }));
      const events = resourceEvents(node);
      const agreement = node.agreement('a1');
      expectObservable(agreement.terminate('Done')).toBe('-|');
      expectObservable(agreement.terminate('Done')).toBe('-|');
      testScheduler.flush();
      expect(terminateAgreement.calls[0]?.[1]).toEqual({ message: 'Done' });
      expect(events).toEqual(['NewResource:Agreement:a1', 'ResourceClosed:Agreement:a1']);
    });
  });

  it('terminate errors on 409 (not approved yet) and leaves the agreement open', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const conflict = new YagnaConflictError('Proposal', { status: 409 });
      const node = nodeWith(
        stubApi({ market: { terminateAgreement: () => cold('-#', undefined, conflict) } }),
      );
      const agreement = node.agreement('a1');
      expectObservable(agreement.terminate()).toBe('-#', undefined, conflict);
      testScheduler.flush();
      expect(agreement.closed).toBe(false);
    });
  });

  it('createActivity makes a child activity bound to the agreement', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const node = nodeWith(
        stubApi({ activity: { createActivity: () => cold('--(x|)', { x: { activityId: 'act1' } }) } }),
      );
      const agreement = node.agreement('a1');
      expectObservable(agreement.createActivity().pipe(map((a) => [a.id, a.agreement.id]))).toBe('--(x|)', {
        x: ['act1', 'a1'],
      });
      testScheduler.flush();
      expect(agreement.activities.map((a) => a.id)).toEqual(['act1']);
    });
  });
});

describe('proposal.createAgreement', () => {
  it('creates the agreement with validTo = now + validFor on the node’s clock', () => {
    testScheduler.run(({ cold, expectObservable, flush }) => {
      const createAgreement = sequence([cold('--(a|)', { a: 'a1' })]);
      const node = nodeWith(stubApi({ market: { createAgreement } }));
      const draft = node.proposal('d1', 'demand-1');
      draft.setData({
        proposalId: 'd1',
        issuerId: '0xp',
        state: 'Draft',
        timestamp: '',
        properties: {},
        constraints: '',
        prevProposalId: 'c1',
      });
      testScheduler.schedule(() => {
        expectObservable(
          draft
            .createAgreement({ validFor: 60_000 })
            .pipe(map((a) => [a.id, a.providerId, a.parent === draft])),
        ).toBe('---(x|)', { x: ['a1', '0xp', true] });
      }, 1);
      flush();
      expect(createAgreement.calls[0]?.[0]).toEqual({ proposalId: 'd1', validTo: new Date(60_001) });
    });
  });

  it('does not abort the POST when unsubscribed: the agreement it makes is cancelled instead of leaking', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const create = cold('----(a|)', { a: 'a1' });
      const cancel = cold('    --|');
      const unsub = '      --!';
      const cancelAgreement = sequence([cancel]);
      const node = nodeWith(stubApi({ market: { createAgreement: () => create, cancelAgreement } }));
      const draft = node.proposal('d1', 'demand-1');
      draft.setData({
        proposalId: 'd1',
        issuerId: '0xp',
        state: 'Draft',
        timestamp: '',
        properties: {},
        constraints: '',
        prevProposalId: 'c1',
      });
      expectObservable(draft.createAgreement(), unsub).toBe('--');
      expectSubscriptions(create.subscriptions).toBe('^---!');
      expectSubscriptions(cancel.subscriptions).toBe('----^-!');
      testScheduler.flush();
      expect(cancelAgreement.calls[0]?.slice(0, 2)).toEqual([
        'a1',
        { message: 'No longer needed by the requestor' },
      ]);
      expect(node.agreement('a1').closed).toBe(true);
    });
  });
});

describe('node.agreementEvents$', () => {
  it('applies each event to its agreement once, in order, and closes it on termination', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const approved = agreementEvent('a1', 'AgreementApprovedEvent', '2024-05-28T15:01:00Z');
      const terminated = agreementEvent('a1', 'AgreementTerminatedEvent', '2024-05-28T15:02:00Z');
      // prettier-ignore
      const poll1 = cold('-(b|)', { b: [approved] });
      const poll2 = cold(' --(b|)', { b: [approved, terminated] }); // yagna repeats the approval
      const poll3 = cold<AgreementEventDto[]>('   -');
      const sub = '       ^-----!';
      const expected = '  -a-b--';

      const collectAgreementEvents = sequence<Parameters<MarketApi['collectAgreementEvents']>, typeof poll1>([
        poll1,
        poll2,
        poll3,
      ]);
      const node = nodeWith(stubApi({ market: { collectAgreementEvents } }));
      const events = resourceEvents(node);
      const types = node.agreementEvents$.pipe(
        map(({ agreement, event }) => `${agreement.id}:${event.eventType}`),
      );
      expectObservable(types, sub).toBe(expected, {
        a: 'a1:AgreementApprovedEvent',
        b: 'a1:AgreementTerminatedEvent',
      });
      testScheduler.flush();
      expect(
        collectAgreementEvents.calls.map(([params]) => [params?.afterTimestamp, params?.appSessionId]),
      ).toEqual([
        [undefined, 'session-1'],
        // the second request re-reads the 5 s look-back window before the third long-polls on
        ['2024-05-28T15:00:55.000000000Z', 'session-1'],
        ['2024-05-28T15:01:55.000000000Z', 'session-1'],
      ]);
      const agreement = node.agreement('a1');
      expect([agreement.approved, agreement.closed, agreement.events.length]).toEqual([true, true, 2]);
      expect(events).toEqual([
        'NewResource:Agreement:a1',
        'ResourceChangePossible:Agreement:a1',
        'ResourceClosed:Agreement:a1',
      ]);
    });
  });
});
