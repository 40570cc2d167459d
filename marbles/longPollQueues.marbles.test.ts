import type { Observable } from 'rxjs';
import { take } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AgreementEventDto, MarketEventDto, ProposalDto } from '../src/api/types/market.js';
import { consumingQueueSource, persistentLogSource } from '../src/sources/index.js';

let testScheduler: TestScheduler;

beforeEach(() => {
  testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

const approved = (agreementId: string, eventDate: string): AgreementEventDto => ({
  eventType: 'AgreementApprovedEvent',
  eventDate,
  agreementId,
});

const proposal = (proposalId: string): ProposalDto => ({
  proposalId,
  issuerId: '0xprovider',
  state: 'Initial',
  timestamp: '2024-05-28T15:00:00Z',
  properties: {},
  constraints: '',
});
const offer = (proposalId: string): MarketEventDto => ({
  eventType: 'ProposalEvent',
  eventDate: '2024-05-28T15:00:01.2Z',
  proposal: proposal(proposalId),
});
const rejected = (proposalId: string): MarketEventDto => ({
  eventType: 'ProposalRejectedEvent',
  eventDate: '2024-05-28T15:00:02Z',
  proposalId,
});

/** The n-th request returns `fetches[n]`; records the arguments. */
function script<E>(fetches: Observable<unknown>[]) {
  const calls: (string | undefined)[] = [];
  const queue = [...fetches];
  const next = (): Observable<readonly E[]> => {
    const batch = queue.shift();
    if (batch === undefined) throw new Error('a request nobody scripted');
    return batch as Observable<readonly E[]>;
  };
  return { calls, next };
}

describe('persistentLogSource', () => {
  it('passes afterTimestamp = the latest eventDate, compared as instants, never as text (look-back off)', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      // as strings '…01.5Z' > '…01.50001Z', as instants it is the other way round;
      // d (17:00:02.5+02:00) is 15:00:02.5Z, after c
      const a = approved('a', '2024-05-28T15:00:01.5Z');
      const b = approved('b', '2024-05-28T15:00:01.50001Z');
      const c = approved('c', '2024-05-28T15:00:02Z');
      const d = approved('d', '2024-05-28T17:00:02.5+02:00');
      // prettier-ignore
      const f1 = cold(' -(a|)', { a: [a] });
      const f2 = cold('  -(b|)', { b: [b] });
      const f3 = cold('   -(c|)', { c: [c, d] });
      const f4 = cold('    -');
      const unsub = '   -------!';
      const expected = '-xy(zw)-';

      const { calls, next } = script<AgreementEventDto>([f1, f2, f3, f4]);
      const source = persistentLogSource<AgreementEventDto>({
        fetchBatch: (after) => (calls.push(after), next()),
        minIntervalMs: 0,
        lookbackMs: 0,
      });
      expectObservable(source.events$, unsub).toBe(expected, { x: a, y: b, z: c, w: d });
      testScheduler.flush();
      expect(calls).toEqual([undefined, a.eventDate, b.eventDate, d.eventDate]);
    });
  });

  it('drops an event repeated with another spelling of its eventDate, and keeps the cursor on empty batches (look-back off)', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const a = approved('a', '2024-05-28T15:00:01.2Z');
      const again = approved('a', '2024-05-28T15:00:01.200000Z');
      const b = approved('b', '2024-05-28T15:00:03Z');
      // prettier-ignore
      const f1 = cold(' -(a|)', { a: [a] });
      const f2 = cold('  -(e|)', { e: [] });
      const f3 = cold('   -(b|)', { b: [again, b] });
      const f4 = cold('    -');
      const unsub = '   -----!';
      const expected = '-x-y--';

      const { calls, next } = script<AgreementEventDto>([f1, f2, f3, f4]);
      const source = persistentLogSource<AgreementEventDto>({
        fetchBatch: (after) => (calls.push(after), next()),
        minIntervalMs: 0,
        lookbackMs: 0,
      });
      expectObservable(source.events$, unsub).toBe(expected, { x: a, y: b });
      testScheduler.flush();
      expect(calls).toEqual([undefined, a.eventDate, a.eventDate, b.eventDate]);
    });
  });

  it("starts at 'now' on the scheduler's clock, fixed at the first subscription", () => {
    testScheduler.run(({ cold, expectObservable }) => {
      // prettier-ignore
      const f1 = cold('    -(e|)', { e: [] });
      const f2 = cold('         -');
      const sub = '     ---^-------!';

      const { calls, next } = script<AgreementEventDto>([f1, f2]);
      const source = persistentLogSource<AgreementEventDto>({
        fetchBatch: (after) => (calls.push(after), next()),
        initialCursor: 'now',
        minIntervalMs: 5,
      });
      expectObservable(source.events$, sub).toBe('-');
      testScheduler.flush();
      expect(calls).toEqual(['1970-01-01T00:00:00.003Z', '1970-01-01T00:00:00.003Z']);
    });
  });

  it('reads the last lookbackMs again: an event dated behind the cursor arrives once, its repeats are dropped', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const a = approved('a', '2024-05-28T15:00:01.5Z');
      const b = approved('b', '2024-05-28T15:00:03Z');
      const late = approved('late', '2024-05-28T15:00:02.75Z'); // logged after b, dated before it
      // prettier-ignore
      const f1 = cold(' -(a|)', { a: [a, b] }); // after undefined
      const f2 = cold('  -(b|)', { b: [a, b] }); // after b − 2 s: seen
      const f3 = cold('   -(c|)', { c: [b] }); // after a (the second-newest)
      const f4 = cold('    ---(d|)', { d: [] }); // after b: nothing newer
      const f5 = cold('       -(e|)', { e: [a, late, b] }); // after b − 2 s: late is new
      const f6 = cold('        -(f|)', { f: [b] }); // after late
      const f7 = cold('         -'); // after b
      const unsub = '   ----------!';
      const expected = '-(ab)--l----';

      const { calls, next } = script<AgreementEventDto>([f1, f2, f3, f4, f5, f6, f7]);
      const source = persistentLogSource<AgreementEventDto>({
        fetchBatch: (after) => (calls.push(after), next()),
        lookbackMs: 2000,
        minIntervalMs: 0,
      });
      expectObservable(source.events$, unsub).toBe(expected, { a, b, l: late });
      testScheduler.flush();
      expect(calls).toEqual([
        undefined,
        '2024-05-28T15:00:01.000000000Z',
        a.eventDate,
        b.eventDate,
        '2024-05-28T15:00:01.000000000Z',
        late.eventDate,
        b.eventDate,
      ]);
      expect(source.cursor).toBe(b.eventDate);
    });
  });

  it('looks back 5 s by default, never before its initialCursor', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const a = approved('a', '2024-05-28T15:00:10Z');
      const b = approved('b', '2024-05-28T15:00:20Z');
      // prettier-ignore
      const f1 = cold(' -(a|)', { a: [a] }); // after the initial cursor
      const f2 = cold('  -(b|)', { b: [a] }); // after the initial cursor again (not a − 5 s)
      const f3 = cold('   -(c|)', { c: [b] }); // after a
      const f4 = cold('    -(d|)', { d: [b] }); // after b − 5 s
      const f5 = cold('     -');
      const unsub = '   ------!';

      const { calls, next } = script<AgreementEventDto>([f1, f2, f3, f4, f5]);
      const source = persistentLogSource<AgreementEventDto>({
        fetchBatch: (after) => (calls.push(after), next()),
        initialCursor: '2024-05-28T15:00:08Z',
        minIntervalMs: 0,
      });
      expectObservable(source.events$, unsub).toBe('-a-b--', { a, b });
      testScheduler.flush();
      expect(calls).toEqual([
        '2024-05-28T15:00:08Z',
        '2024-05-28T15:00:08Z',
        a.eventDate,
        '2024-05-28T15:00:15.000000000Z',
        b.eventDate,
      ]);
    });
  });

  it('refuses a negative or non-finite lookbackMs', () => {
    const fetchBatch = () => Promise.resolve([] as AgreementEventDto[]);
    expect(() => persistentLogSource<AgreementEventDto>({ fetchBatch, lookbackMs: -1 })).toThrow(RangeError);
    expect(() => persistentLogSource<AgreementEventDto>({ fetchBatch, lookbackMs: NaN })).toThrow(RangeError);
  });

  it('errors with MalformedTimestampError on an eventDate it cannot order', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const { next } = script<AgreementEventDto>([cold('-(a|)', { a: [approved('a', 'yesterday')] })]);
      const source = persistentLogSource<AgreementEventDto>({ fetchBatch: () => next() });
      expectObservable(source.events$).toBe(
        '-#',
        undefined,
        expect.objectContaining({ name: 'MalformedTimestampError', timestamp: 'yesterday' }),
      );
    });
  });
});

describe('consumingQueueSource', () => {
  it('has no cursor and drops a proposal it already delivered, by proposal id', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      // prettier-ignore
      const f1 = cold(' -(a|)', { a: [offer('p1'), offer('p2')] });
      const f2 = cold('  -----(b|)', { b: [offer('p2'), rejected('p2'), offer('p3')] });
      const f3 = cold('       -');
      const unsub = '   ----------!';
      const expected = '-(xy)-(zw)-';

      const { calls, next } = script<MarketEventDto>([f1, f2, f3]);
      const source = consumingQueueSource<MarketEventDto>({
        fetchBatch: () => (calls.push(undefined), next()),
      });
      expectObservable(source.events$, unsub).toBe(expected, {
        x: offer('p1'),
        y: offer('p2'),
        z: rejected('p2'),
        w: offer('p3'),
      });
      testScheduler.flush();
      expect(calls).toHaveLength(3);
      expect(source.cursor).toBeUndefined();
    });
  });

  it('keeps proposals a consumer left behind for the next one (the server will not send them again)', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const f1 = cold(' -(a|)', { a: [offer('p1'), offer('p2')] });
      const f2 = cold('    -');
      const f2subs = '  ---^-!';
      const sub2 = '    ---^-!';

      const { next } = script<MarketEventDto>([f1, f2]);
      const source = consumingQueueSource<MarketEventDto>({ fetchBatch: next });
      expectObservable(source.events$.pipe(take(1))).toBe('-(x|)', { x: offer('p1') });
      expectObservable(source.events$, sub2).toBe('---y-', { y: offer('p2') });
      expectSubscriptions(f2.subscriptions).toBe(f2subs);
    });
  });

  it('completes when the demand is gone (404), instead of polling forever', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const gone = Object.assign(new Error('Subscription not found'), { status: 404 });
      const { next } = script<MarketEventDto>([cold('--#', undefined, gone)]);
      const source = consumingQueueSource<MarketEventDto>({ fetchBatch: next });
      expectObservable(source.events$).toBe('--|');
    });
  });
});
