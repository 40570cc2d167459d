import { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { GolemEvent } from '../../src/bus/index.js';
import { EventBus, ListenerBacklogged, ListenerFailed, NewResource, ofType } from '../../src/bus/index.js';
import { ListenerQueue } from '../../src/bus/listenerQueue.js';

const ev = (id: string) => new NewResource({ id, kind: 'Allocation' });

function deferred() {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function recordFailures(bus: EventBus): ListenerFailed[] {
  const failures: ListenerFailed[] = [];
  bus.events$.pipe(ofType(ListenerFailed)).subscribe((f) => failures.push(f));
  return failures;
}

describe('ListenerQueue', () => {
  it('runs a synchronous listener at once, inside push', () => {
    const seen: string[] = [];
    const queue = new ListenerQueue<NewResource>('q#1', (e) => void seen.push(e.resource.id), 10, {
      failed: () => expect.unreachable(),
      backlogged: () => expect.unreachable(),
    });
    queue.push(ev('a'));
    expect(seen).toEqual(['a']);
    expect(queue.idle).toBe(true);
  });

  it('handles async events one at a time, in order, each after the previous settled', async () => {
    const log: string[] = [];
    const gates = [deferred(), deferred(), deferred()];
    let i = 0;
    const queue = new ListenerQueue<NewResource>(
      'q#1',
      async (e) => {
        log.push(`start ${e.resource.id}`);
        await gates[i++]!.promise;
        log.push(`end ${e.resource.id}`);
      },
      10,
      { failed: () => expect.unreachable(), backlogged: () => undefined },
    );
    queue.push(ev('a'));
    queue.push(ev('b'));
    queue.push(ev('c'));
    expect(log).toEqual(['start a']);
    expect(queue.queued).toBe(2);
    gates[1]!.resolve(); // releasing b's gate early changes nothing: b has not started
    await settle();
    expect(log).toEqual(['start a']);
    gates[0]!.resolve();
    await settle();
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c']);
    gates[2]!.resolve();
    await queue.whenIdle();
    expect(log.at(-1)).toBe('end c');
  });

  it('reports a thenable whose then() throws, and goes on', async () => {
    const failures: unknown[] = [];
    const seen: string[] = [];
    const boom = new Error('bad thenable');
    const queue = new ListenerQueue<NewResource>(
      'q#1',
      (e) => {
        seen.push(e.resource.id);
        return e.resource.id === 'a'
          ? {
              then: () => {
                throw boom;
              },
            }
          : undefined;
      },
      10,
      { failed: (_e, err) => failures.push(err), backlogged: () => undefined },
    );
    queue.push(ev('a'));
    queue.push(ev('b'));
    await queue.whenIdle();
    expect(failures).toEqual([boom]);
    expect(seen).toEqual(['a', 'b']);
  });
});

describe('EventBus with async listeners', () => {
  it('a slow async listener delays no other listener, and catches up in order', async () => {
    const bus = new EventBus();
    const gate = deferred();
    const slow: string[] = [];
    const fast: string[] = [];
    bus.listen(
      async (e) => {
        await gate.promise;
        slow.push(e.resource.id);
      },
      { classes: [NewResource] },
    );
    bus.listen((e) => void fast.push(e.resource.id), { classes: [NewResource] });
    for (const id of ['a', 'b', 'c']) bus.emit(ev(id));
    expect(fast).toEqual(['a', 'b', 'c']);
    expect(slow).toEqual([]);
    gate.resolve();
    await bus.drain();
    expect(slow).toEqual(['a', 'b', 'c']);
  });

  it('turns a rejected listener into ListenerFailed and keeps it listening', async () => {
    const bus = new EventBus();
    const failures = recordFailures(bus);
    const boom = new Error('async bug');
    const seen: string[] = [];
    const handle = bus.listen(
      async (e) => {
        seen.push(e.resource.id);
        if (e.resource.id === 'a') throw boom;
      },
      { classes: [NewResource], name: 'flaky' },
    );
    bus.emit(ev('a'));
    bus.emit(ev('b'));
    await bus.drain();
    expect(seen).toEqual(['a', 'b']);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ listener: handle.id, error: boom, chain: ['flaky#1'] });
    expect((failures[0]!.event as NewResource).resource.id).toBe('a');
  });

  it('keeps order for events emitted from inside an async listener', async () => {
    const bus = new EventBus();
    const order: string[] = [];
    bus.events$.subscribe((e) => order.push(e instanceof NewResource ? e.resource.id : e.type));
    bus.listen(
      async (e) => {
        await settle();
        if (e.resource.id === 'a') {
          bus.emit(ev('a.1'));
          bus.emit(ev('a.2'));
        }
      },
      { classes: [NewResource] },
    );
    bus.emit(ev('a'));
    bus.emit(ev('b'));
    await bus.drain();
    expect(order).toEqual(['a', 'b', 'a.1', 'a.2']);
  });

  it('drain() waits for events emitted while draining', async () => {
    const bus = new EventBus();
    const handled: string[] = [];
    bus.listen(
      async (e) => {
        await settle();
        handled.push(e.resource.id);
        if (e.resource.id === 'a') bus.emit(ev('b'));
      },
      { classes: [NewResource] },
    );
    bus.emit(ev('a'));
    await bus.drain();
    expect(handled).toEqual(['a', 'b']);
  });

  it('stop() drops what is waiting, cancels an Observable in progress, and still reports a late failure', async () => {
    const bus = new EventBus();
    const failures = recordFailures(bus);
    let cancelled = false;
    const seen: string[] = [];
    const handle = bus.listen(
      (e) => {
        seen.push(e.resource.id);
        return new Observable<never>(() => () => (cancelled = true));
      },
      { classes: [NewResource] },
    );
    bus.emit(ev('a'));
    bus.emit(ev('b'));
    expect(handle.queued).toBe(1);
    handle.stop();
    bus.emit(ev('c'));
    await handle.whenIdle();
    expect(cancelled).toBe(true);
    expect(seen).toEqual(['a']);

    const gate = deferred();
    const late = bus.listen(() => gate.promise, { name: 'late' });
    bus.emit(ev('d'));
    late.stop();
    gate.reject(new Error('after stop'));
    await settle();
    expect(failures.map((f) => f.listener)).toEqual([late.id]);
  });

  it('reports a backlog once per crossing of the high-water mark, re-armed when the queue empties', async () => {
    const bus = new EventBus({ highWaterMark: 2 });
    const backlogs: ListenerBacklogged[] = [];
    bus.events$.pipe(ofType(ListenerBacklogged)).subscribe((b) => backlogs.push(b));
    let gate = deferred();
    const seenBySlow: GolemEvent[] = [];
    const slow = bus.listen((e) => {
      seenBySlow.push(e);
      return gate.promise;
    });
    for (const id of ['a', 'b', 'c', 'd']) bus.emit(ev(id));
    expect(backlogs).toEqual([new ListenerBacklogged(slow.id, 2, 2)]);
    gate.resolve();
    await bus.drain();
    expect(seenBySlow.every((e) => !(e instanceof ListenerBacklogged))).toBe(true);

    gate = deferred();
    for (const id of ['e', 'f', 'g']) bus.emit(ev(id));
    expect(backlogs).toHaveLength(2);
    gate.resolve();
    await bus.drain();
  });
});
