import type { Observable } from 'rxjs';
import { mergeMap, Subject, throwError, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import type { BusResource, GolemEvent } from '../src/bus/index.js';
import {
  DuplicateResourceClosed,
  EventBus,
  forResource,
  ListenerBacklogged,
  ListenerFailed,
  NewResource,
  NodeStarted,
  ofType,
  ResourceClosed,
  ResourceDataChanged,
  ResourceEvent,
  sourceHealthChanged,
  SourceHealthChanged,
  withIds,
} from '../src/bus/index.js';

class Allocation implements BusResource {
  static readonly kind = 'Allocation';
  readonly kind = 'Allocation';
  constructor(readonly id: string) {}
}
class Demand implements BusResource {
  static readonly kind = 'Demand';
  readonly kind = 'Demand';
  constructor(readonly id: string) {}
}

const alloc1 = new Allocation('a1');
const alloc2 = new Allocation('a2');
const demand1 = new Demand('d1');
const node = { baseUrl: 'http://127.0.0.1:7465' };

const n = new NewResource(alloc1);
const d = new ResourceDataChanged(alloc1, { amount: '1' }, { amount: '2' });
const c = new ResourceClosed(alloc1);
const s = new NodeStarted(node);
const m = new NewResource(demand1);
const o = new NewResource(alloc2);
/** The events the hot marbles below emit. */
const events = { s, n, d, m, c, o };

let testScheduler: TestScheduler;

beforeEach(() => {
  testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

/** Drives `bus.emit` from a hot marble. */
function emitting(bus: EventBus, emits: Observable<GolemEvent>): void {
  emits.subscribe({ next: (e) => bus.emit(e) });
}

describe('EventBus routing', () => {
  it('delivers every event to events$ in emit order; ofType matches subclasses', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      // prettier-ignore
      const e1 = hot('  -s-n-d-m-c-', events);
      const unsub = '   ----------!';
      const all = '     -s-n-d-m-c-';
      const resource = '---n-d-m-c-';
      const closedOrNew = '---n---m-c-';

      const bus = new EventBus();
      emitting(bus, e1);
      const values = { s, n, d, m, c };
      expectObservable(bus.events$, unsub).toBe(all, values);
      expectObservable(bus.events$.pipe(ofType(ResourceEvent)), unsub).toBe(resource, values);
      expectObservable(bus.events$.pipe(ofType(NewResource, ResourceClosed)), unsub).toBe(
        closedOrNew,
        values,
      );
    });
  });

  it('routes by resource class or kind name, and by id', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      // prettier-ignore
      const e1 = hot('  -s-n-m-o-c-', events);
      const unsub = '   ----------!';
      const allocations = '---n---o-c-';
      const demands = ' -----m-----';
      const a1 = '      ---n-----c-';
      const newA1 = '   ---n-------';

      const bus = new EventBus();
      emitting(bus, e1);
      const values = { s, n, m, o, c };
      expectObservable(bus.events$.pipe(forResource(Allocation)), unsub).toBe(allocations, values);
      expectObservable(bus.events$.pipe(forResource('Demand')), unsub).toBe(demands, values);
      expectObservable(bus.events$.pipe(withIds('a1')), unsub).toBe(a1, values);
      expectObservable(bus.events$.pipe(ofType(NewResource), withIds('a1')), unsub).toBe(newA1, values);
    });
  });

  it('routes listen() by classes and resourceListen() by event class, resource class and id', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      // prettier-ignore
      const e1 = hot('  -s-n-m-o-c-', events);
      const unsub = '   ----------!';
      const nodeOnly = '-s---------';
      const newAllocs = '---n---o---';
      const a1 = '      ---n-----c-';

      const bus = new EventBus();
      const seen = { nodeOnly: new Subject(), newAllocs: new Subject(), a1: new Subject() };
      bus.listen((e) => seen.nodeOnly.next(e), { classes: [NodeStarted] });
      bus.resourceListen((e) => seen.newAllocs.next(e), {
        eventClasses: [NewResource],
        resourceClasses: [Allocation],
      });
      bus.resourceListen((e) => seen.a1.next(e), { ids: ['a1'] });
      emitting(bus, e1);
      const values = { s, n, m, o, c };
      expectObservable(seen.nodeOnly, unsub).toBe(nodeOnly, values);
      expectObservable(seen.newAllocs, unsub).toBe(newAllocs, values);
      expectObservable(seen.a1, unsub).toBe(a1, values);
    });
  });

  it('wraps source health into SourceHealthChanged', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const u = { kind: 'unreachable', attempt: 1, error: new Error('down'), retryInMs: 500 } as const;
      const r = { kind: 'recovered', downtimeMs: 700 } as const;
      // prettier-ignore
      const health = hot('-u------r-', { u, r });
      const expected = '  -U------R-';
      expectObservable(health.pipe(sourceHealthChanged('offers'))).toBe(expected, {
        U: new SourceHealthChanged('offers', u),
        R: new SourceHealthChanged('offers', r),
      });
    });
  });
});

describe('EventBus ordering and isolation', () => {
  it('keeps emit order for everyone when a listener emits from inside its callback', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const x = new NewResource(new Allocation('x'));
      // prettier-ignore
      const e1 = hot('  -n---c-', events);
      const unsub = '   ------!';
      const expected = '-(nx)c-';

      const bus = new EventBus();
      const later = new Subject<GolemEvent>();
      // registered first: without queuing, the others would see x before n
      bus.listen(
        (e) => {
          if (e === n) bus.emit(x);
        },
        { name: 'echo' },
      );
      bus.listen((e) => later.next(e));
      emitting(bus, e1);
      expectObservable(bus.events$, unsub).toBe(expected, { n, x, c });
      expectObservable(later, unsub).toBe(expected, { n, x, c });
    });
  });

  it('turns a throwing listener into ListenerFailed, not delivered to it, and breaks no one else', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const boom = new Error('listener bug');
      // prettier-ignore
      const e1 = hot('  -n---c-', events);
      const unsub = '   ------!';
      const expected = '-(nf)c-';
      const others = '  -(nf)c-';
      const failing = ' -n---c-';

      const bus = new EventBus();
      const seenByFailing = new Subject<GolemEvent>();
      const seenByOther = new Subject<GolemEvent>();
      const handle = bus.listen(
        (e) => {
          seenByFailing.next(e);
          if (e instanceof NewResource) throw boom;
        },
        { name: 'buggy' },
      );
      bus.listen((e) => seenByOther.next(e));
      emitting(bus, e1);
      const f = new ListenerFailed(handle.id, n, boom);
      expectObservable(bus.events$, unsub).toBe(expected, { n, f, c });
      expectObservable(seenByOther, unsub).toBe(others, { n, f, c });
      expectObservable(seenByFailing, unsub).toBe(failing, { n, c });
      expect(handle.id).toBe('buggy#1');
    });
  });

  it('ends the failure chain of two listeners that fail on everything', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const boom = new Error('always');
      // prettier-ignore
      const e1 = hot('  -n-', events);
      const expected = '-(n1234)';

      const bus = new EventBus();
      bus.listen(
        () => {
          throw boom;
        },
        { name: 'A' },
      );
      bus.listen(
        () => {
          throw boom;
        },
        { name: 'B' },
      );
      emitting(bus, e1);
      const lf1 = new ListenerFailed('A#1', n, boom, ['A#1']);
      const lf2 = new ListenerFailed('B#2', n, boom, ['B#2']);
      const lf3 = new ListenerFailed('B#2', lf1, boom, ['A#1', 'B#2']);
      const lf4 = new ListenerFailed('A#1', lf2, boom, ['B#2', 'A#1']);
      expectObservable(bus.events$, '--------!').toBe(expected, { n, 1: lf1, 2: lf2, 3: lf3, 4: lf4 });
    });
  });

  it('lets a slow listener delay only itself, handling its events one at a time in order', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      // prettier-ignore
      const e1 = hot('  -nmo-------', events);
      const unsub = '   ----------!';
      const fast = '    -nmo-------';
      const slow = '    -n--m--o---';

      const bus = new EventBus();
      const seenBySlow = new Subject<GolemEvent>();
      const seenByFast = new Subject<GolemEvent>();
      bus.listen((e) => {
        seenBySlow.next(e);
        return timer(3);
      });
      bus.listen((e) => seenByFast.next(e));
      emitting(bus, e1);
      expectObservable(seenByFast, unsub).toBe(fast, { n, m, o });
      expectObservable(seenBySlow, unsub).toBe(slow, { n, m, o });
    });
  });

  it('reports an Observable listener that errors as ListenerFailed, when it errors', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const boom = new Error('async failure');
      // prettier-ignore
      const e1 = hot('  -n----', events);
      const expected = '-n-f--';

      const bus = new EventBus();
      const handle = bus.listen(() => timer(2).pipe(mergeMap(() => throwError(() => boom))), {
        classes: [NewResource],
      });
      emitting(bus, e1);
      expectObservable(bus.events$, '-----!').toBe(expected, {
        n,
        f: new ListenerFailed(handle.id, n, boom),
      });
    });
  });

  it('reports a listener whose queue reaches its high-water mark, once, and not to itself', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      // prettier-ignore
      const e1 = hot('  -nmo---c-----', events);
      const unsub = '   ------------!';
      const expected = '-nm(ob)c-----';

      const bus = new EventBus();
      const seenBySlow = new Subject<GolemEvent>();
      const slow = bus.listen(
        (e) => {
          seenBySlow.next(e);
          return timer(10);
        },
        { highWaterMark: 2, name: 'slow' },
      );
      emitting(bus, e1);
      const b = new ListenerBacklogged(slow.id, 2, 2);
      expectObservable(bus.events$, unsub).toBe(expected, { n, m, o, b, c });
      expectObservable(seenBySlow, unsub).toBe('-n---------m', { n, m });
    });
  });

  it('delivers ResourceClosed at most once per resource and reports the repeat', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const again = new ResourceClosed(new Allocation('a1'));
      // prettier-ignore
      const e1 = hot('  -c--a-', { c, a: again });
      const unsub = '   -----!';
      const closed = '  -c----';
      const dupes = '   ----x-';

      const bus = new EventBus();
      const seen = new Subject<GolemEvent>();
      bus.resourceListen((e) => seen.next(e), { eventClasses: [ResourceClosed] });
      emitting(bus, e1);
      expectObservable(seen, unsub).toBe(closed, { c });
      expectObservable(bus.events$.pipe(ofType(DuplicateResourceClosed)), unsub).toBe(dupes, {
        x: new DuplicateResourceClosed(again),
      });
    });
  });
});
