import { Decimal } from 'decimal.js';
import { distinctUntilChanged, map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  NewResource,
  NodeClosed,
  NodeStarted,
  ResourceChangePossible,
  ResourceClosed,
  ResourceDataChanged,
  SourceHealthChanged,
} from '../src/bus/events.js';
import {
  ProposalCountered,
  ProposalScored,
  RunnableChanged,
  type StatusEvent,
  type StatusState,
  createStatusStore,
  initialStatus,
  statusOf,
  statusReducer,
  toStatusJson,
} from '../src/integrations/index.js';
import type { OperatorEvent } from '../src/operators/index.js';

// Resources as the bus carries them: only `kind`, `id` and what the reducer reads are needed.
const demand = { kind: 'Demand', id: 'd1' };
const offer = { kind: 'Proposal', id: 'o1', providerId: 'p1' };
const draft = { kind: 'Proposal', id: 'r1', providerId: 'p1' };
const agreement = { kind: 'Agreement', id: 'a1', providerId: 'p1', approved: false };
const approvedAgreement = { ...agreement, approved: true };
const activity = { kind: 'Activity', id: 'x1', agreement };
const batch = { kind: 'Batch', id: 'b1', activity };
const debitNote = { kind: 'DebitNote', id: 'dn1' };
const invoice = { kind: 'Invoice', id: 'i1' };

const offerData = { proposalId: 'o1', issuerId: 'p1', state: 'Initial', properties: {}, constraints: '' };
const draftData = {
  proposalId: 'r1',
  issuerId: 'p1',
  state: 'Draft',
  prevProposalId: 'c1',
  properties: {},
  constraints: '',
};
const note = (amount: string) => ({
  debitNoteId: 'dn1',
  activityId: 'x1',
  agreementId: 'a1',
  totalAmountDue: new Decimal(amount),
});

let testScheduler: TestScheduler;

beforeEach(() => {
  testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

describe('statusOf (statusReducer over events)', () => {
  it("moves a provider's market line from offer to a closed agreement", () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const events: Record<string, StatusEvent> = {
        d: new NewResource(demand),
        o: new ResourceDataChanged(offer, undefined, offerData),
        s: new ProposalScored(offer, 0.8),
        c: new ProposalCountered(offer, 0.8),
        r: new ResourceDataChanged(draft, undefined, draftData),
        a: new NewResource(agreement),
        p: new ResourceChangePossible(approvedAgreement),
        x: new NewResource(activity),
        z: new ResourceClosed(approvedAgreement),
      };
      // prettier-ignore
      const e1 = hot('  -d-o-s-c-r-a-p-x-z-|', events);
      const e1subs = '  ^------------------!';
      const expected = 'i--O-S-C-R-A-P-X-Z-|';

      const stage = e1.pipe(
        statusOf({ scheduler: testScheduler }),
        map((s) => {
          const line = s.market[0];
          return line === undefined ? 'none' : `${line.stage}:${line.score ?? '-'}@${line.updatedAt}`;
        }),
        distinctUntilChanged(),
      );
      expectObservable(stage).toBe(expected, {
        i: 'none',
        O: 'offer:-@3',
        S: 'offer:0.8@5',
        C: 'countered:0.8@7',
        R: 'draft:0.8@9',
        A: 'agreement:0.8@11',
        P: 'approved:0.8@13',
        X: 'activity:0.8@15',
        Z: 'closed:0.8@17',
      });
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  it('counts proposals, agreements and activities by state', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const failed: OperatorEvent = {
        type: 'counterFailed',
        proposal: { ...offer, properties: {}, respond: () => never(), reject: () => never() },
        error: new Error('rejected'),
      };
      const events: Record<string, StatusEvent> = {
        o: new ResourceDataChanged(offer, undefined, offerData),
        f: failed,
        a: new NewResource(agreement),
        p: new ResourceChangePossible(approvedAgreement),
        x: new NewResource(activity),
        b: new ResourceClosed(batch),
        t: new ResourceClosed(activity),
        z: new ResourceClosed(approvedAgreement),
      };
      // prettier-ignore
      const e1 = hot('  -o-f-a-p-x-b-t-z-|', events);
      const expected = 'iO-F-A-P-X-B-T-Z-|';

      const counts = e1.pipe(
        statusOf({ scheduler: testScheduler }),
        map((s) => {
          const json = toStatusJson(s);
          return {
            proposals: [json.proposals.seen, json.proposals.counterFailed],
            agreements: json.agreements.byState,
            activities: json.activities.byState,
            failures: json.failures.map((f) => f.message),
          };
        }),
      );
      const none = { proposals: [0, 0], agreements: {}, activities: {}, failures: [] };
      const seen = { ...none, proposals: [1, 0] };
      const rejected = { ...seen, proposals: [1, 1], failures: ['Error: rejected'] };
      expectObservable(counts).toBe(expected, {
        i: none,
        O: seen,
        F: rejected,
        A: { ...rejected, agreements: { Proposal: 1 } },
        P: { ...rejected, agreements: { Approved: 1 } },
        X: { ...rejected, agreements: { Approved: 1 }, activities: { New: 1 } },
        B: { ...rejected, agreements: { Approved: 1 }, activities: { Ready: 1 } },
        T: { ...rejected, agreements: { Approved: 1 }, activities: { Terminated: 1 } },
        Z: { ...rejected, agreements: { Terminated: 1 }, activities: { Terminated: 1 } },
      });
    });
  });

  it('sums spend from cumulative debit notes and invoices, stamped with the scheduler', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const events: Record<string, StatusEvent> = {
        a: new ResourceDataChanged(debitNote, undefined, note('0.1')),
        b: new ResourceDataChanged(debitNote, note('0.1'), note('0.25')),
        l: new ResourceDataChanged(debitNote, note('0.25'), note('0.2')), // an older note, late: ignored
        v: new ResourceDataChanged(invoice, undefined, { invoiceId: 'i1', agreementId: 'a1', amount: '0.3' }),
      };
      // prettier-ignore
      const e1 = hot('  -a--b--l--v-|', events);
      const expected = 'iA--B-----V-|';

      const spend = e1.pipe(
        statusOf({ scheduler: testScheduler }),
        map((s) => toStatusJson(s).spend),
        distinctUntilChanged((x, y) => JSON.stringify(x) === JSON.stringify(y)),
      );
      const at = (ms: number) => new Date(ms).toISOString();
      expectObservable(spend).toBe(expected, {
        i: { total: '0', series: [] },
        A: { total: '0.1', series: [{ at: at(1), total: '0.1' }] },
        B: {
          total: '0.25',
          series: [
            { at: at(1), total: '0.1' },
            { at: at(4), total: '0.25' },
          ],
        },
        V: {
          total: '0.3',
          series: [
            { at: at(1), total: '0.1' },
            { at: at(4), total: '0.25' },
            { at: at(10), total: '0.3' },
          ],
        },
      });
    });
  });

  it('tells a clean stop from a crash', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const crash = new Error('yagna unreachable');
      const events: Record<string, StatusEvent> = {
        n: new NodeStarted({ baseUrl: 'http://127.0.0.1:7465' }),
        r: new RunnableChanged({ name: 'node', state: 'running', startedAt: 1 }),
        q: new RunnableChanged({ name: 'pipeline', state: 'running', startedAt: 1 }),
        s: new RunnableChanged({ name: 'pipeline', state: 'stopped', startedAt: 1, stoppedAt: 7 }),
        f: new RunnableChanged({
          name: 'node',
          state: 'failed',
          startedAt: 1,
          stoppedAt: 9,
          lastError: crash,
        }),
      };
      // prettier-ignore
      const e1 = hot('  -n-r-q-s-f-|', events);
      const expected = 'iN-R-Q-S-F-|';

      const overall = e1.pipe(
        statusOf({ scheduler: testScheduler }),
        map((s) => {
          const json = toStatusJson(s);
          return `${json.status}/${json.runnables.map((r) => `${r.name}=${r.state}${r.lastError ? `(${r.lastError.message})` : ''}`).join(',')}`;
        }),
        distinctUntilChanged(),
      );
      expectObservable(overall).toBe(expected, {
        i: 'idle/',
        N: 'running/',
        R: 'running/node=running',
        Q: 'running/node=running,pipeline=running',
        S: 'running/node=running,pipeline=stopped',
        F: 'crashed/node=failed(yagna unreachable),pipeline=stopped',
      });
    });
  });

  it('emits nothing for events it does not know or that change nothing', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const events: Record<string, StatusEvent> = {
        u: { type: 'SomethingElse' },
        h: new SourceHealthChanged('demand d1', {
          kind: 'unreachable',
          attempt: 1,
          error: new Error('x'),
          retryInMs: 100,
        }),
        k: new SourceHealthChanged('demand d1', { kind: 'recovered', downtimeMs: 100 }),
        c: new NodeClosed({ baseUrl: 'http://127.0.0.1:7465' }),
      };
      // prettier-ignore
      const e1 = hot('  -u-h-u-k-c-c-|', events);
      const expected = 'i--H---K-C---|';
      expectObservable(
        e1.pipe(
          statusOf(),
          map((s) => `${s.node}:${s.unhealthySources.join(',')}`),
        ),
      ).toBe(expected, {
        i: 'unknown:',
        H: 'unknown:demand d1',
        K: 'unknown:',
        C: 'closed:',
      });
    });
  });

  it('passes the source’s error on', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const e1 = hot('  -a-#', { a: new NodeStarted({ baseUrl: 'u' }) });
      const e1subs = '  ^--!';
      const expected = 'ia-#';
      expectObservable(
        e1.pipe(
          statusOf(),
          map((s) => (s.node === 'started' ? 'a' : 'i')),
        ),
      ).toBe(expected);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  it('emits the initial model for empty and never sources', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const empty = cold<StatusEvent>('|');
      const never = cold<StatusEvent>('-');
      const unsub = '----!';
      expectObservable(
        empty.pipe(
          statusOf(),
          map(() => 'i'),
        ),
      ).toBe('(i|)');
      expectObservable(
        never.pipe(
          statusOf(),
          map(() => 'i'),
        ),
        unsub,
      ).toBe('i---');
      expectSubscriptions(never.subscriptions).toBe('^---!');
    });
  });

  it('stops following the source on an early unsubscribe', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const o = new ResourceDataChanged(offer, undefined, offerData);
      // prettier-ignore
      const e1 = hot('  -o--o--o-|', { o });
      const unsub = '   -----!';
      const e1subs = '  ^----!';
      const expected = 'iA--B-';
      expectObservable(
        e1.pipe(
          statusOf(),
          map((s) => `${s.proposals.seen}`),
        ),
        unsub,
      ).toBe(expected, {
        i: '0',
        A: '1',
        B: '2',
      });
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });
});

describe('statusReducer', () => {
  it('is pure: an unknown event returns the same state, a known one a new state', () => {
    const state = initialStatus(0);
    expect(statusReducer(state, { type: 'Unknown' }, 5)).toBe(state);
    const next = statusReducer(state, new NewResource(demand), 5);
    expect(next).not.toBe(state);
    expect(state.demands).toEqual({ active: 0, total: 0 });
    expect(next).toMatchObject({
      updatedAt: 5,
      demands: { active: 1, total: 1 },
    } satisfies Partial<StatusState>);
  });

  it('reads providers late: an agreement created before its provider was known', () => {
    const unknown = {
      kind: 'Agreement',
      id: 'a1',
      approved: false,
      get providerId(): string {
        throw new Error('not loaded');
      },
    };
    let state = statusReducer(initialStatus(0), new ResourceDataChanged(offer, undefined, offerData), 1);
    state = statusReducer(state, new NewResource(unknown), 2);
    expect(state.agreements.a1).toEqual({ state: 'Proposal' });
    state = statusReducer(state, new ResourceChangePossible(approvedAgreement), 3);
    expect(state.agreements.a1).toEqual({ state: 'Approved', providerId: 'p1' });
    expect(state.market[0]?.stage).toBe('approved');
  });

  it('keeps its lists bounded', () => {
    let state = initialStatus(0, { marketEntries: 3 });
    for (let i = 0; i < 5; i++) {
      const data = { ...offerData, proposalId: `o${i}`, issuerId: `p${i}` };
      state = statusReducer(
        state,
        new ResourceDataChanged({ kind: 'Proposal', id: `o${i}` }, undefined, data),
        i,
      );
    }
    expect(state.market.map((e) => e.providerId)).toEqual(['p2', 'p3', 'p4']);
    expect(state.proposals.seen).toBe(5);
  });
});

describe('createStatusStore', () => {
  it('keeps following the other sources when one errors, and records the error', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      // prettier-ignore
      const e1 = hot('  -a--#', { a: new NewResource(demand) });
      const e2 = hot('  ---b---c-|', {
        b: new NodeStarted({ baseUrl: 'u' }),
        c: new NodeClosed({ baseUrl: 'u' }),
      });
      const expected = 'iA-BF--C';
      const store = createStatusStore([{ events$: e1 }, { events$: e2 }], { scheduler: testScheduler });
      const view = store.state$.pipe(
        map((s) => `${s.demands.total}/${s.node}/${s.failures.map((f) => f.type).join(',')}`),
      );
      expectObservable(view, '--------!').toBe(expected, {
        i: '0/unknown/',
        A: '1/unknown/',
        B: '1/started/',
        F: '1/started/StatusSourceFailed',
        C: '1/closed/StatusSourceFailed',
      });
      testScheduler.schedule(() => store.close(), 9);
    });
  });
});

function never(): never {
  throw new Error('not called');
}
