import { EmptyError, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { createActivity } from '../src/operators/createActivity.js';
import type { OperatorEvent } from '../src/operators/events.js';
import type { ActivityPort, AgreementPort, DeployArgs } from '../src/ports/index.js';
import { type FakeAgreement, fakeAgreement } from '../src/testing/fakes.js';

/** An activity port that records the arguments of each `deployAndStart` call. */
interface RecordingActivity extends ActivityPort {
  readonly deployCalls: unknown[][];
}

function recordingActivity(
  id: string,
  agreement: AgreementPort,
  deployAndStart: Observable<unknown>,
  destroy: Observable<unknown>,
): RecordingActivity {
  const deployCalls: unknown[][] = [];
  return {
    id,
    agreement,
    deployCalls,
    // the port's contract: callable without arguments (the default) or with deploy arguments
    deployAndStart: (...args: unknown[]) => {
      deployCalls.push(args);
      return deployAndStart as Observable<void>;
    },
    destroy: () => destroy as Observable<void>,
  };
}

type Agreement = FakeAgreement<RecordingActivity>;

const NET: DeployArgs = {
  net: [{ id: 'n1', ip: '192.168.0.0', mask: '255.255.255.0', nodeIp: '192.168.0.2', nodes: {} }],
};

describe('createActivity({ deploy })', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('without deploy, calls deployAndStart with no arguments (the default, unchanged)', () => {
    let X!: RecordingActivity;
    testScheduler.run(({ hot, cold, expectObservable }) => {
      const A: Agreement = fakeAgreement({ id: 'A' });
      X = recordingActivity('X', A, cold('--|'), cold('-|'));
      const a: Agreement = fakeAgreement({ id: 'A', createActivity: cold('-x|', { x: X }) });
      // prettier-ignore
      const e1 = hot('  -a---|', { a });
      //                 ca: -x|  deployAndStart: --|
      const expected = '----X|';
      expectObservable(e1.pipe(createActivity())).toBe(expected, { X });
    });
    expect(X.deployCalls).toEqual([[]]);
  });

  it('passes the arguments deploy gives for the agreement, and then deploys', () => {
    let X!: RecordingActivity;
    const asked: string[] = [];
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const deployX = cold('--|');
      const A: Agreement = fakeAgreement({ id: 'A' });
      X = recordingActivity('X', A, deployX, cold('-|'));
      const a: Agreement = fakeAgreement({ id: 'A', createActivity: cold('-x|', { x: X }) });
      // prettier-ignore
      const e1 = hot('  -a---|', { a });
      const expected = '----X|';
      const deploy = (agreement: Agreement): DeployArgs => {
        asked.push(agreement.id);
        return NET;
      };
      expectObservable(e1.pipe(createActivity({ deploy }))).toBe(expected, { X });
      expectSubscriptions(deployX.subscriptions).toBe('--^-!');
    });
    expect(asked).toEqual(['A']);
    expect(X.deployCalls).toEqual([[NET]]);
  });

  it('waits for an Observable of deploy arguments (e.g. network.join: a POST first) and takes its last value', () => {
    let X!: RecordingActivity;
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const join = cold('--n|', { n: NET });
      const deployX = cold('--|');
      const A: Agreement = fakeAgreement({ id: 'A' });
      X = recordingActivity('X', A, deployX, cold('-|'));
      const a: Agreement = fakeAgreement({ id: 'A', createActivity: cold('-x|', { x: X }) });
      // prettier-ignore
      const e1 = hot('  -a------|', { a });
      //                 ca: -x|  join: --n|  deployAndStart: --|
      const expected = '-------X|';
      expectObservable(e1.pipe(createActivity({ deploy: () => join }))).toBe(expected, { X });
      expectSubscriptions(join.subscriptions).toBe('--^--!');
      expectSubscriptions(deployX.subscriptions).toBe('-----^-!');
    });
    expect(X.deployCalls).toEqual([[NET]]);
  });

  it('fails the activity when deploy errors, throws or gives nothing: destroyed, agreement terminated, no deploy', () => {
    const events: OperatorEvent[] = [];
    const refused = new Error('no free address');
    const broken = new Error('bug in deploy');
    const made: RecordingActivity[] = [];
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const terminations: ReturnType<typeof cold>[] = [];
      const agreement = (id: string): Agreement => {
        const terminate = cold('-|');
        terminations.push(terminate);
        const A: Agreement = fakeAgreement({ id, terminate });
        const activity = recordingActivity(`X${id}`, A, cold('--|'), cold('-|'));
        made.push(activity);
        return fakeAgreement({ id, terminate, createActivity: cold('-x|', { x: activity }) });
      };
      const [a, b, c] = [agreement('A'), agreement('B'), agreement('C')];
      const deploy = (ag: Agreement): Observable<DeployArgs> | DeployArgs => {
        if (ag.id === 'A') return cold<DeployArgs>('-#', undefined, refused);
        if (ag.id === 'B') throw broken;
        return cold<DeployArgs>('-|');
      };
      // prettier-ignore
      const e1 = hot('  -(abc)---|', { a, b, c });
      //                 ca: -x|  deploy A: -#  destroy: -|  terminate: -|
      //                 cb: -x|  deploy B throws: destroy: -|  terminate: -|
      const expected = '---------|';
      expectObservable(e1.pipe(createActivity({ deploy, onEvent: (e) => events.push(e) }))).toBe(expected);
      expectSubscriptions(terminations[0]!.subscriptions).toBe('----^!');
      expectSubscriptions(terminations[1]!.subscriptions).toBe('---^!');
      expectSubscriptions(terminations[2]!.subscriptions).toBe('----^!');
    });
    expect(made.map((x) => x.deployCalls)).toEqual([[], [], []]);
    expect(events.map((e) => (e.type === 'activityFailed' ? [e.agreement.id, e.error] : e.type))).toEqual([
      ['B', broken],
      ['A', refused],
      ['C', expect.any(EmptyError)],
    ]);
  });

  it('on unsubscribe while deploy is in flight, unsubscribes it, destroys the activity and terminates the agreement', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const join = cold<DeployArgs>('-----n|', { n: NET });
      const destroyX = cold('-|');
      const terminateA = cold('-|');
      const A: Agreement = fakeAgreement({ id: 'A', terminate: terminateA });
      const X = recordingActivity('X', A, cold('--|'), destroyX);
      const a: Agreement = fakeAgreement({
        id: 'A',
        terminate: terminateA,
        createActivity: cold('-x|', { x: X }),
      });
      // prettier-ignore
      const e1 = hot('  -a------|', { a });
      const unsub = '   ----!';
      expectObservable(e1.pipe(createActivity({ deploy: () => join })), unsub).toBe('-----');
      expectSubscriptions(join.subscriptions).toBe('--^-!');
      expectSubscriptions(destroyX.subscriptions).toBe('----^!');
      expectSubscriptions(terminateA.subscriptions).toBe('-----^!');
    });
  });
});
