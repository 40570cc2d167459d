/**
 * `node.scan$`: a market scan (beginScan, collectScanResults, endScan) as a hot Observable of
 * offers, each once; begun again when yagna lost it; ended when the last subscriber leaves or the
 * node closes.
 */
import { type Observable, map, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import type { NewScanDto, OfferDto } from '../src/api/types/index.js';
import { YagnaBadRequestError } from '../src/api/errors/YagnaBadRequestError.js';
import { YagnaNotFoundError } from '../src/api/errors/YagnaNotFoundError.js';
import { YagnaServerError } from '../src/api/errors/YagnaServerError.js';
import { SourceHealthChanged } from '../src/bus/events.js';
import { GolemNode } from '../src/node/GolemNode.js';
import type { NodeApi } from '../src/resources/NodeApi.js';
import { scanConstraints } from '../src/resources/scan.js';
import { ScanEndFailed } from '../src/resources/scanEvents.js';
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

/** An offer of provider `0x…<n>`. */
function offer(id: string): OfferDto {
  return {
    offerId: id,
    providerId: `0x${id.padStart(40, '0')}`,
    timestamp: '2024-05-28T15:00:00Z',
    properties: { 'golem.runtime.name': 'vm' },
    constraints: '(&)',
  };
}

/** `collectScanResults` answering each scan from its own script. */
function pollsOf(scripts: Record<string, Observable<unknown>[]>): (id: string) => Observable<unknown> {
  const queues = Object.fromEntries(Object.entries(scripts).map(([id, polls]) => [id, sequence(polls)]));
  return (id) => {
    const next = queues[id];
    if (next === undefined) throw new Error(`collectScanResults(${id}) was not scripted`);
    return next();
  };
}

const ids = map((o: OfferDto) => o.offerId);
const VM = '(golem.runtime.name=vm)';

describe('node.scan$', () => {
  it('begins a scan at the first subscription, emits each offer once, ends the scan when the last subscriber leaves', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions, flush }) => {
      // prettier-ignore
      const begin = cold('-(s|)', { s: 's1' });
      const poll1 = cold(' --(b|)', { b: [offer('a'), offer('b')] });
      const poll2 = cold('   -----(b|)', { b: [offer('b'), offer('c')] });
      const poll3 = cold('        -');
      const end = cold('            -|');
      const subA = '      ^-----!';
      const subB = '      --^-------!';
      const expectedA = ' ---(ab)';
      const expectedB = ' ---(ab)-c-';

      const beginScan = sequence([begin]);
      const endScan = sequence([end]);
      const api = stubApi({
        market: { beginScan, collectScanResults: pollsOf({ s1: [poll1, poll2, poll3] }), endScan },
      });
      const scan$ = nodeWith(api).scan$({ constraints: VM }).pipe(ids);

      expectObservable(scan$, subA).toBe(expectedA, { a: 'a', b: 'b' });
      expectObservable(scan$, subB).toBe(expectedB, { a: 'a', b: 'b', c: 'c' });
      expectSubscriptions(begin.subscriptions).toBe('^!');
      expectSubscriptions(poll3.subscriptions).toBe('--------^-!');
      expectSubscriptions(end.subscriptions).toBe('----------^!');
      flush();
      expect(beginScan.calls.map(([body]) => body as NewScanDto)).toEqual([
        { type: 'offer', constraints: VM, timeout: 60 },
      ]);
      expect(endScan.calls.map(([id]) => id)).toEqual(['s1']);
    });
  });

  it('begins a new scan when yagna lost it (404), without repeating an offer or ending the lost one', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions, flush }) => {
      // prettier-ignore
      const begin1 = cold('-(s|)', { s: 's1' });
      const begin2 = cold('   -(s|)', { s: 's2' });
      const s1poll1 = cold('-(b|)', { b: [offer('a')] });
      const s1poll2 = cold(
        ' -#',
        undefined,
        new YagnaNotFoundError('Iterator with id "s1" not found', { status: 404 }),
      );
      const s2poll1 = cold('    -(b|)', { b: [offer('a'), offer('b')] });
      const s2poll2 = cold('     -');
      const end = cold('           -|');
      const sub = '        ^-------!';
      const expected = '   --a--b---';

      const endScan = sequence([end]);
      const api = stubApi({
        market: {
          beginScan: sequence([begin1, begin2]),
          collectScanResults: pollsOf({ s1: [s1poll1, s1poll2], s2: [s2poll1, s2poll2] }),
          endScan,
        },
      });
      expectObservable(nodeWith(api).scan$({ constraints: [] }).pipe(ids), sub).toBe(expected, {
        a: 'a',
        b: 'b',
      });
      expectSubscriptions(begin2.subscriptions).toBe('---^!');
      expectSubscriptions(end.subscriptions).toBe('--------^!');
      flush();
      expect(endScan.calls.map(([id]) => id)).toEqual(['s2']);
    });
  });

  it('retries beginning the scan again on a transient failure (not the first one)', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // s1 is lost at 3; beginning s2 fails (503) at 4, is retried after the backoff (3) at 7
      // prettier-ignore
      const begin1 = cold('-(s|)', { s: 's1' });
      const begin2 = cold('   -#', undefined, new YagnaServerError('restarting', { status: 503 }));
      const begin3 = cold('       -(s|)', { s: 's2' });
      const s1poll = cold(' --#', undefined, new YagnaNotFoundError('gone', { status: 404 }));
      const s2poll1 = cold('       -(b|)', { b: [offer('a')] });
      const s2poll2 = cold('        -');
      const end = cold('             -|');
      const sub = '        ^-----------!';
      const expected = '   ---------a---';

      const api = stubApi({
        market: {
          beginScan: sequence([begin1, begin2, begin3]),
          collectScanResults: pollsOf({ s1: [s1poll], s2: [s2poll1, s2poll2] }),
          endScan: () => end,
        },
      });
      expectObservable(nodeWith(api).scan$({ constraints: VM }).pipe(ids), sub).toBe(expected, { a: 'a' });
      expectSubscriptions(begin3.subscriptions).toBe('-------^!');
    });
  });

  it('does not abort a beginScan in flight when the subscriber leaves: ends the scan when it lands', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const begin = cold('---(s|)', { s: 's1' });
      const end = cold('     -|');
      const sub = '       ^-!';

      const api = stubApi({ market: { beginScan: () => begin, endScan: () => end } });
      expectObservable(nodeWith(api).scan$({ constraints: VM }), sub).toBe('-');
      expectSubscriptions(begin.subscriptions).toBe('^--!');
      expectSubscriptions(end.subscriptions).toBe('---^!');
    });
  });

  it('errors when the scan cannot be begun (nothing to end)', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const invalid = new YagnaBadRequestError('Invalid constraint. bad', { status: 400 });
      // prettier-ignore
      const begin = cold('--#', undefined, invalid);
      const expected = '  --#';

      const api = stubApi({ market: { beginScan: () => begin } });
      expectObservable(nodeWith(api).scan$({ constraints: '(x' })).toBe(expected, undefined, invalid);
    });
  });

  it('errors when a poll fails for good, and ends the scan', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const forbidden = new YagnaBadRequestError('bad value on maxEvents', { status: 400 });
      // prettier-ignore
      const begin = cold('-(s|)', { s: 's1' });
      const poll = cold('  --#', undefined, forbidden);
      const end = cold('     -|');
      const expected = '  ---#';

      const api = stubApi({
        market: { beginScan: () => begin, collectScanResults: () => poll, endScan: () => end },
      });
      expectObservable(nodeWith(api).scan$({ constraints: VM })).toBe(expected, undefined, forbidden);
      expectSubscriptions(end.subscriptions).toBe('---^!');
    });
  });

  it('retries a transient poll failure after the backoff, reporting the source health', () => {
    testScheduler.run(({ cold, expectObservable, flush }) => {
      // prettier-ignore
      const begin = cold('-(s|)', { s: 's1' });
      const poll1 = cold(' -#', undefined, new YagnaServerError('busy', { status: 503 }));
      const poll2 = cold('     -(b|)', { b: [offer('a')] });
      const poll3 = cold('      -');
      const end = cold('         -|');
      const sub = '       ^-------!';
      const expected = '  ------a--';

      const api = stubApi({
        market: {
          beginScan: () => begin,
          collectScanResults: pollsOf({ s1: [poll1, poll2, poll3] }),
          endScan: () => end,
        },
      });
      const node = nodeWith(api);
      const health: string[] = [];
      node.events.events$.subscribe((e) => {
        if (e instanceof SourceHealthChanged) health.push(`${e.source}:${e.health.kind}`);
      });
      expectObservable(node.scan$({ constraints: VM }).pipe(ids), sub).toBe(expected, { a: 'a' });
      flush();
      expect(health).toEqual(['scan:s1:unreachable', 'scan:s1:recovered']);
    });
  });

  it('reports an endScan that fails as ScanEndFailed; one already gone is fine', () => {
    testScheduler.run(({ cold, expectObservable, flush }) => {
      // prettier-ignore
      const begin = cold('-(s|)', { s: 's1' });
      const poll = cold('  -');
      const end = cold('     -#', undefined, new YagnaServerError('down', { status: 500 }));
      const gone = cold('    -#', undefined, new YagnaNotFoundError('gone', { status: 404 }));
      const sub = '       ^--!';

      const api = stubApi({
        market: {
          beginScan: () => begin,
          collectScanResults: () => poll,
          endScan: sequence([end, gone]),
        },
      });
      const node = nodeWith(api);
      const failed: string[] = [];
      node.events.events$.subscribe((e) => {
        if (e instanceof ScanEndFailed) failed.push(`${e.scanId}:${(e.error as Error).message}`);
      });
      expectObservable(node.scan$({ constraints: VM }), sub).toBe('-');
      expectObservable(node.scan$({ constraints: VM }), sub).toBe('-');
      flush();
      expect(failed).toEqual(['s1:down']);
    });
  });

  it('ends the scan when the node closes, and a scan$ after that completes without a call', () => {
    const begins: Observable<unknown>[] = [];
    const api = stubApi({
      market: {
        beginScan: () => begins.shift() ?? cold$('unexpected beginScan'),
        collectScanResults: () => poll$,
        endScan: () => end$,
      },
    });
    let poll$: Observable<unknown> | undefined;
    let end$: Observable<unknown> | undefined;
    const node = nodeWith(api);
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const begin = cold('-(s|)', { s: 's1' });
      const poll = cold('  -');
      const end = cold('       -|');
      const expected = '  -----|';

      begins.push(begin);
      poll$ = poll;
      end$ = end;
      testScheduler.schedule(() => void node.close(), 5);
      expectObservable(node.scan$({ constraints: VM })).toBe(expected);
      expectSubscriptions(begin.subscriptions).toBe('^!');
      expectSubscriptions(end.subscriptions).toBe('-----^!');
    });
    let completed = false;
    node.scan$({ constraints: VM }).subscribe({ complete: () => (completed = true) });
    expect(completed).toBe(true);
  });
});

/** A stub answer that fails the test when subscribed. */
function cold$(message: string): Observable<never> {
  return throwError(() => new Error(message));
}

describe('scanConstraints', () => {
  it('passes one clause as is, ANDs several, and scans everything without any', () => {
    expect(scanConstraints({ constraints: ` ${VM} ` }, {})).toBe(VM);
    expect(scanConstraints({ constraints: [VM, '(golem.inf.mem.gib>=4)'] }, {})).toBe(
      `(&\n\t${VM}\n\t(golem.inf.mem.gib>=4)\n)`,
    );
    expect(scanConstraints({ constraints: [] }, {})).toBeUndefined();
    expect(scanConstraints({ constraints: '(&)' }, {})).toBeUndefined();
  });

  it('adds the subnet to a payload’s constraints, as a demand would', () => {
    expect(scanConstraints({ payload: { constraints: VM } }, {})).toBe(
      `(&\n\t${VM}\n\t(golem.node.debug.subnet=public)\n)`,
    );
    expect(scanConstraints({ payload: {} }, { YAGNA_SUBNET: 'beta' })).toBe(
      '(&\n\t(golem.node.debug.subnet=beta)\n)',
    );
    expect(scanConstraints({ payload: {}, subnet: 'x' }, { YAGNA_SUBNET: 'beta' })).toContain('=x)');
  });
});
