import { EventEmitter } from 'node:events';
import { NEVER, Subject, VirtualTimeScheduler, defer, finalize, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  type Runnable,
  type RunnableStatus,
  type SignalProcess,
  isRunnableFailedError,
  runnableFromNode,
  runnableFromObservable,
  wireUp,
} from '../../src/integrations/index.js';

/** A process double: signals are emitted by the test; `kill` is recorded. */
class FakeProcess extends EventEmitter implements SignalProcess {
  readonly pid = 4242;
  readonly killed: string[] = [];
  kill(_pid: number, signal: NodeJS.Signals): boolean {
    this.killed.push(signal);
    return true;
  }
  handlers(): number {
    return this.listenerCount('SIGINT') + this.listenerCount('SIGTERM');
  }
}

/** A node double recording its lifecycle calls. */
function fakeNode(options: { startFails?: Error } = {}) {
  const calls: string[] = [];
  return {
    calls,
    start: async () => {
      calls.push('start');
      if (options.startFails) throw options.startFails;
    },
    close: async () => {
      calls.push('close');
      return { ok: true };
    },
  };
}

/** A runnable that only stops when aborted, or never (`stubborn`). */
function longRunning(name: string, stubborn = false): Runnable & { aborts: unknown[] } {
  const aborts: unknown[] = [];
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  return {
    name,
    aborts,
    run: () => stopped,
    abort: async (reason) => {
      aborts.push(reason);
      if (!stubborn) stop();
    },
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('runnableFromObservable', () => {
  it('resolves when the Observable completes and rejects when it errors', async () => {
    const done = new Subject<void>();
    const ok = runnableFromObservable(done, { name: 'ok' });
    const running = ok.run();
    expect(ok.run()).toBe(running);
    done.complete();
    await expect(running).resolves.toBeUndefined();

    const failing = new Subject<void>();
    const bad = runnableFromObservable(failing, { name: 'bad' });
    const failed = bad.run();
    failing.error(new Error('boom'));
    await expect(failed).rejects.toThrow('boom');
  });

  it('unsubscribes on abort (a clean stop), and does not subscribe after an abort', async () => {
    let unsubscribed = 0;
    let subscribed = 0;
    const source = NEVER.pipe(finalize(() => unsubscribed++));
    const r = runnableFromObservable(source, { name: 'poll' });
    const running = r.run();
    await r.abort('done');
    await expect(running).resolves.toBeUndefined();
    expect(unsubscribed).toBe(1);

    const early = runnableFromObservable(
      defer(() => {
        subscribed++;
        return NEVER;
      }),
      { name: 'early' },
    );
    await early.abort();
    await expect(early.run()).resolves.toBeUndefined();
    expect(subscribed).toBe(0);
  });
});

describe('runnableFromNode', () => {
  it('starts the node on run and closes it on abort', async () => {
    const node = fakeNode();
    const r = runnableFromNode(node);
    expect(r.name).toBe('golem-node');
    const running = r.run();
    await flush();
    expect(node.calls).toEqual(['start']);
    await r.abort();
    await expect(running).resolves.toBeUndefined();
    expect(node.calls).toEqual(['start', 'close']);
  });

  it('rejects when the node cannot start', async () => {
    const node = fakeNode({ startFails: new Error('401 Unauthorized') });
    await expect(runnableFromNode(node, { name: 'n' }).run()).rejects.toThrow('401 Unauthorized');
    expect(node.calls).toEqual(['start']);
  });
});

describe('RunnableRegistry', () => {
  it('starts once, aborts then drains once, and reports a clean stop', async () => {
    const proc = new FakeProcess();
    const a = longRunning('a');
    const b = longRunning('b');
    const registry = wireUp([a, b], { process: proc });
    expect(registry.state).toBe('idle');
    const startup = registry.wireUpOnStartup();
    expect(registry.wireUpOnStartup()).toBe(startup);
    await startup;
    expect(registry.state).toBe('running');
    expect(registry.statuses().map((s) => s.state)).toEqual(['running', 'running']);
    expect(proc.handlers()).toBe(2);

    const shutdown = registry.wireUpOnShutdown('deploy');
    expect(registry.wireUpOnShutdown('again')).toBe(shutdown);
    const report = await shutdown;
    expect(report).toEqual({ reason: 'deploy', clean: true, stopped: ['a', 'b'], failed: [], timedOut: [] });
    expect(a.aborts).toEqual(['deploy']);
    expect(registry.statuses().map((s) => [s.state, s.stopReason])).toEqual([
      ['stopped', 'deploy'],
      ['stopped', 'deploy'],
    ]);
    expect(proc.handlers()).toBe(0);
    expect(registry.state).toBe('stopped');
  });

  it('installs the signal handlers once; a signal shuts down, then re-raises the signal', async () => {
    const proc = new FakeProcess();
    const a = longRunning('a');
    const registry = wireUp([a], { process: proc });
    await registry.wireUpOnStartup();
    await registry.wireUpOnStartup();
    expect(proc.listenerCount('SIGTERM')).toBe(1);

    proc.emit('SIGTERM', 'SIGTERM');
    const report = await registry.wireUpOnShutdown();
    expect(report.reason).toBe('SIGTERM');
    expect(a.aborts).toEqual(['SIGTERM']);
    await flush();
    expect(proc.handlers()).toBe(0);
    expect(proc.killed).toEqual(['SIGTERM']);
  });

  it('ignores a second signal while draining (with a message), gives up on a third', async () => {
    const proc = new FakeProcess();
    const registry = wireUp([longRunning('stuck', true)], { process: proc });
    await registry.wireUpOnStartup();
    proc.emit('SIGINT', 'SIGINT');
    await flush();
    expect(proc.killed).toEqual([]);
    proc.emit('SIGINT', 'SIGINT');
    expect(proc.killed).toEqual([]);
    proc.emit('SIGINT', 'SIGINT');
    expect(proc.killed).toEqual(['SIGINT']);
    expect(proc.handlers()).toBe(0);
  });

  it('stops waiting after drainTimeout of its scheduler and names what did not stop', async () => {
    const scheduler = new VirtualTimeScheduler();
    const stuck = longRunning('stuck', true);
    const registry = wireUp([longRunning('ok'), stuck], { scheduler, drainTimeout: 5_000, signals: false });
    await registry.wireUpOnStartup();
    let report: unknown;
    void registry.wireUpOnShutdown().then((r) => (report = r));
    await flush();
    expect(report).toBeUndefined();
    scheduler.flush(); // 5 s of virtual time pass
    await flush();
    expect(report).toEqual({
      reason: 'shutdown',
      clean: false,
      stopped: ['ok'],
      failed: [],
      timedOut: ['stuck'],
    });
    expect(registry.statuses()[1]?.state).toBe('stopping');
  });

  it('tells a crash from a clean stop, and shuts the rest down with shutdownOnFailure', async () => {
    const crash = new Subject<void>();
    const survivor = longRunning('survivor');
    const registry = wireUp([runnableFromObservable(crash, { name: 'pipeline' }), survivor], {
      signals: false,
      shutdownOnFailure: true,
    });
    const changes: RunnableStatus[] = [];
    registry.events$.subscribe({ next: (e) => changes.push(e.status) });
    const run = registry.run();
    await flush();
    crash.error(new Error('yagna unreachable'));
    await expect(run).rejects.toSatisfy(isRunnableFailedError);
    await expect(run).rejects.toMatchObject({ failures: [{ name: 'pipeline' }] });
    const report = await registry.wireUpOnShutdown();
    expect(report).toMatchObject({ reason: 'pipeline failed', clean: false, stopped: ['survivor'] });
    expect(report.failed.map((f) => [f.name, (f.error as Error).message])).toEqual([
      ['pipeline', 'yagna unreachable'],
    ]);
    expect(survivor.aborts).toEqual(['pipeline failed']);
    const last = new Map(changes.map((s) => [s.name, s]));
    expect(last.get('pipeline')).toMatchObject({
      state: 'failed',
      lastError: new Error('yagna unreachable'),
    });
    expect(last.get('survivor')).toMatchObject({ state: 'stopped', stopReason: 'pipeline failed' });
  });

  it('replays the current statuses to a new subscriber, then completes after shutdown', async () => {
    const registry = wireUp([longRunning('a')], { signals: false, scheduler: new VirtualTimeScheduler() });
    await registry.wireUpOnStartup();
    const seen: string[] = [];
    const all = new Promise<void>((resolve) => {
      registry.events$.pipe(toArray()).subscribe({
        next: (events) => seen.push(...events.map((e) => `${e.status.name}:${e.status.state}`)),
        complete: resolve,
      });
    });
    await registry.wireUpOnShutdown();
    await all;
    expect(seen).toEqual(['a:running', 'a:stopping', 'a:stopped']);
  });

  it('hands out tracked runnables that share the registry’s run', async () => {
    const a = longRunning('a');
    const registry = wireUp([a, longRunning('a')], { signals: false });
    const [first, second] = registry.wireUpGetRunnables();
    expect([first?.name, second?.name]).toEqual(['a', 'a#2']);
    const running = first!.run();
    expect(registry.statuses()[0]?.state).toBe('running');
    await registry.wireUpOnStartup();
    expect(first!.run()).toBe(running);
    await first!.abort('manual');
    await expect(running).resolves.toBeUndefined();
    expect(registry.statuses()[0]).toMatchObject({ state: 'stopped', stopReason: 'manual' });
    await registry.wireUpOnShutdown();
  });

  it('reports a runnable whose abort fails as failed', async () => {
    let stop: () => void = () => undefined;
    const r: Runnable = {
      name: 'r',
      run: () => new Promise<void>((resolve) => (stop = resolve)),
      abort: async () => {
        stop();
        throw new Error('cannot release');
      },
    };
    const registry = wireUp([r], { signals: false });
    await registry.wireUpOnStartup();
    await registry.wireUpOnShutdown();
    await flush();
    expect(registry.statuses()[0]).toMatchObject({ state: 'failed', lastError: new Error('cannot release') });
  });

  it('aborts a runnable added after shutdown began, without running it', async () => {
    const registry = wireUp([], { signals: false });
    await registry.wireUpOnStartup();
    await registry.wireUpOnShutdown();
    const late = longRunning('late');
    registry.add(late);
    await flush();
    expect(late.aborts).toEqual(['registry shut down']);
    expect(registry.statuses()[0]).toMatchObject({ name: 'late', state: 'stopped' });
  });
});
