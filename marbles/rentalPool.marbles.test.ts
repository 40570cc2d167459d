/**
 * The rental pool (src/rental/RentalPool.ts) in virtual time, over stubbed ports: a supply whose
 * `rent(n)` is a `cold()` Observable per call, and members whose `ended$` and `stop()` are `cold()`
 * too. It keeps `min`, grows to `max` on demand and no further, replaces a member that ends by
 * itself, and `drain()` stops every member and closes the supply before it reports. The counts
 * (`state$`) change several times within a frame, so they are logged with their frame.
 */
import { NEVER, type Observable, concatMap, map, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { RentalPoolDrainedError } from '../src/rental/errors/RentalPoolDrainedError.js';
import type { PoolMember, RentalSupply } from '../src/rental/ports.js';
import { RentalPool, type RentalPoolState } from '../src/rental/RentalPool.js';

type Member = PoolMember<string>;

/** A member whose stop and end are the given Observables. */
function member(id: string, stop$: Observable<string>, ended$: Observable<string> = NEVER): Member {
  return { id, providerId: `provider-${id}`, ended$, stop: () => stop$ };
}

/** A supply whose n-th `rent` call returns `calls[n]`; it records the counts asked for. */
function supply(
  calls: readonly Observable<Member>[],
  close$: Observable<void> = NEVER,
): RentalSupply<Member> & { readonly counts: number[] } {
  const counts: number[] = [];
  return {
    counts,
    rent: (count) => {
      counts.push(count);
      return calls[counts.length - 1] ?? NEVER;
    },
    close: () => close$,
  };
}

/** `<frame> r<ready> b<busy> s<starting> x<stopping> w<waiting> <phase>`. */
function logStates(pool: RentalPool<Member>, scheduler: TestScheduler): string[] {
  const log: string[] = [];
  const short = ({ ready, busy, starting, stopping, waiting, phase }: RentalPoolState): string =>
    `${scheduler.now()} r${ready} b${busy} s${starting} x${stopping} w${waiting} ${phase}`;
  pool.state$.subscribe({ next: (state) => log.push(short(state)), complete: () => log.push('complete') });
  return log;
}

/** `<frame> <type> [<member id>]` of every pool event. */
function logEvents(pool: RentalPool<Member>, scheduler: TestScheduler): string[] {
  const log: string[] = [];
  pool.events$.subscribe((e) =>
    log.push(`${scheduler.now()} ${e.type}${'rental' in e ? ` ${e.rental.id}` : ''}`),
  );
  return log;
}

describe('RentalPool', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('keeps min: rents exactly min at once and holds them ready', () => {
    let states: string[] = [];
    let ports: ReturnType<typeof supply> | undefined;
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const a = member('a', cold('(r|)'));
      const b = member('b', cold('(r|)'));
      // prettier-ignore
      const rent1 = cold('  --a-b|', { a, b });
      ports = supply([rent1]);
      const pool = new RentalPool(ports, { min: 2, max: 3 });
      states = logStates(pool, testScheduler);
      const unsub = '       ^-------!';

      expectObservable(pool.ready(), unsub).toBe('----(v|)', { v: undefined });
      expectObservable(pool.rentals$.pipe(map((list) => list.map((m) => m.id).join(''))), unsub).toBe(
        'e-x-y---',
        { e: '', x: 'a', y: 'ab' },
      );
      expectSubscriptions(rent1.subscriptions).toBe('^----!');
    });
    // one rent call, for exactly the two missing; nothing more once they are ready
    expect(ports?.counts).toEqual([2]);
    expect(states).toEqual(['0 r0 b0 s2 x0 w0 open', '2 r1 b0 s1 x0 w0 open', '4 r2 b0 s0 x0 w0 open']);
  });

  it('grows on demand up to max, then makes acquire() wait for a release', () => {
    let states: string[] = [];
    let ports: ReturnType<typeof supply> | undefined;
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const a = member('a', cold('(r|)'));
      const b = member('b', cold('(r|)'));
      const rent1 = cold('-a|', { a });
      //                       rent2 at 5: --b|
      const rent2 = cold('--b|', { b });
      ports = supply([rent1, rent2]);
      const pool = new RentalPool(ports, { min: 1, max: 2 });
      states = logStates(pool, testScheduler);

      // x at 3 takes the ready a; y at 5 waits while b is rented for it; z at 8 waits (max is
      // reached: nothing more is rented) until a is released at 10
      expectObservable(timer(3).pipe(concatMap(() => pool.acquire()))).toBe('---(a|)', { a });
      expectObservable(timer(5).pipe(concatMap(() => pool.acquire()))).toBe('-------(b|)', { b });
      expectObservable(timer(8).pipe(concatMap(() => pool.acquire()))).toBe('----------(a|)', { a });
      testScheduler.schedule(() => pool.release(a), 10);
      expectSubscriptions(rent1.subscriptions).toBe('^-!');
      expectSubscriptions(rent2.subscriptions).toBe('-----^--!');
    });
    expect(ports?.counts).toEqual([1, 1]);
    expect(states).toEqual([
      '0 r0 b0 s1 x0 w0 open',
      '1 r1 b0 s0 x0 w0 open',
      '3 r0 b1 s0 x0 w0 open',
      '5 r0 b1 s1 x0 w1 open',
      '7 r0 b2 s0 x0 w0 open',
      '8 r0 b2 s0 x0 w1 open',
      '10 r0 b2 s0 x0 w0 open',
    ]);
  });

  it('stops waiting when an acquire() is unsubscribed; the rental made for it joins the pool', () => {
    let states: string[] = [];
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const a = member('a', cold('(r|)'));
      const rent1 = cold('---a|', { a });
      const pool = new RentalPool(supply([rent1]), { max: 2 });
      states = logStates(pool, testScheduler);

      expectObservable(pool.acquire(), '-!').toBe('--');
      expectSubscriptions(rent1.subscriptions).toBe('^---!');
    });
    expect(states).toEqual([
      '0 r0 b0 s0 x0 w0 open',
      '0 r0 b0 s1 x0 w1 open',
      '1 r0 b0 s1 x0 w0 open',
      '3 r1 b0 s0 x0 w0 open',
    ]);
  });

  it('replaces a member that ends by itself, and follows its stop', () => {
    let events: string[] = [];
    let ports: ReturnType<typeof supply> | undefined;
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const stopA = cold('--(r|)', { r: 'report a' });
      const stopB = cold('(r|)', { r: 'report b' });
      // a's provider terminates it at 5 (a.ended$ is watched from 1, when a joined)
      const a = member('a', stopA, cold('----x', { x: 'providerTerminated' }));
      const b = member('b', stopB);
      const c = member('c', cold('(r|)'));
      // prettier-ignore
      const rent1 = cold('  -(ab)|', { a, b });
      //                       rent2 at 5: --c|
      const rent2 = cold('--c|', { c });
      ports = supply([rent1, rent2]);
      const pool = new RentalPool(ports, { min: 2, max: 2 });
      events = logEvents(pool, testScheduler);

      expectObservable(pool.rentals$.pipe(map((list) => list.map((m) => m.id).join(''))), '^--------!').toBe(
        'e(xy)z-w-',
        { e: '', x: 'a', y: 'ab', z: 'b', w: 'bc' },
      );
      expectSubscriptions(stopA.subscriptions).toBe('-----^-!');
      expectSubscriptions(stopB.subscriptions).toBe([]);
      expectSubscriptions(rent2.subscriptions).toBe('-----^--!');
    });
    expect(ports?.counts).toEqual([2, 1]);
    expect(events).toEqual(['1 added a', '1 added b', '5 lost a', '7 stopped a', '7 added c']);
  });

  it('drains: stops every member, ready or in use, cancels what is being rented, fails the waiting, then reports', () => {
    let states: string[] = [];
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const stopA = cold('--(r|)', { r: 'report a' });
      const stopB = cold('--(r|)', { r: 'report b' });
      const a = member('a', stopA);
      const b = member('b', stopB);
      const close = cold<void>('-|');
      // prettier-ignore
      const rent1 = cold('  -(ab)|', { a, b });
      //                      rent2 at 3 (for the acquire waiting): -------c|
      const rent2 = cold('-------c|', { c: member('c', cold('(r|)')) });
      const pool = new RentalPool(supply([rent1, rent2], close), { min: 2, max: 3 });
      states = logStates(pool, testScheduler);
      const drained = new RentalPoolDrainedError();

      expectObservable(timer(2).pipe(concatMap(() => pool.acquire()))).toBe('--(a|)', { a });
      expectObservable(timer(3).pipe(concatMap(() => pool.acquire()))).toBe('---(b|)', { b });
      expectObservable(timer(3).pipe(concatMap(() => pool.acquire()))).toBe('----#', undefined, drained);
      testScheduler.schedule(() => pool.drain().subscribe(), 4);
      // every later drain() gets the same report; a later acquire() is refused
      expectObservable(timer(9).pipe(concatMap(() => pool.drain()))).toBe('---------(d|)', {
        d: { reports: ['report a', 'report b'], failures: [], ok: true },
      });
      expectObservable(timer(9).pipe(concatMap(() => pool.acquire()))).toBe('---------#', undefined, drained);
      // rent1 had not completed yet: the drain unsubscribes it too
      expectSubscriptions(rent1.subscriptions).toBe('^---!');
      expectSubscriptions(rent2.subscriptions).toBe('---^!');
      expectSubscriptions(stopA.subscriptions).toBe('----^-!');
      expectSubscriptions(stopB.subscriptions).toBe('----^-!');
      expectSubscriptions(close.subscriptions).toBe('------^!');
    });
    expect(states).toEqual([
      '0 r0 b0 s2 x0 w0 open',
      '1 r1 b0 s1 x0 w0 open',
      '1 r2 b0 s0 x0 w0 open',
      '2 r1 b1 s0 x0 w0 open',
      '3 r0 b2 s0 x0 w0 open',
      '3 r0 b2 s1 x0 w1 open',
      '4 r0 b0 s0 x1 w0 draining',
      '4 r0 b0 s0 x2 w0 draining',
      '6 r0 b0 s0 x1 w0 draining',
      '6 r0 b0 s0 x0 w0 draining',
      '7 r0 b0 s0 x0 w0 drained',
      'complete',
    ]);
  });

  it('withRental releases the rental when the work errors, and hands it to the next one', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const a = member('a', cold('(r|)'));
      const pool = new RentalPool(supply([cold('-a|', { a })]), { min: 1, max: 1 });
      const boom = new Error('work failed');

      expectObservable(pool.withRental(() => cold('--#', undefined, boom))).toBe('---#', undefined, boom);
      expectObservable(
        timer(2).pipe(
          concatMap(() => pool.withRental((rental) => cold('-(x|)', { x: `done on ${rental.id}` }))),
        ),
      ).toBe('----(x|)', { x: 'done on a' });
    });
  });

  it('fails the waiting acquire()s when renting fails, and tries again after retryDelay', () => {
    let events: string[] = [];
    let ports: ReturnType<typeof supply> | undefined;
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const boom = new Error('yagna is down');
      const rent1 = cold<Member>('--#', undefined, boom);
      //                      rent2 at 2 + 5 (retryDelay): -a|
      const rent2 = cold('-a|', { a: member('a', cold('(r|)')) });
      ports = supply([rent1, rent2]);
      const pool = new RentalPool(ports, { min: 1, max: 1, retryDelay: 5 });
      events = logEvents(pool, testScheduler);

      expectObservable(pool.acquire()).toBe('--#', undefined, boom);
      expectSubscriptions(rent2.subscriptions).toBe('-------^-!');
    });
    expect(ports?.counts).toEqual([1, 1]);
    expect(events).toEqual(['2 supplyFailed', '8 added a']);
  });

  it('refuses min above max', () => {
    expect(() => new RentalPool(supply([]), { min: 3, max: 2 })).toThrow(RangeError);
    expect(() => new RentalPool(supply([]), { max: 0 })).toThrow(RangeError);
  });
});
