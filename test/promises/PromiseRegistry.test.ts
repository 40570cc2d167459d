import { getEventListeners } from 'node:events';
import {
  asyncScheduler,
  firstValueFrom,
  lastValueFrom,
  queueScheduler,
  toArray,
  type SchedulerAction,
  type SchedulerLike,
} from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  InMemoryPromiseStore,
  PromiseRegistry,
  isPromiseNotFoundError,
  isPromisePayloadError,
  isPromiseRegistryClosedError,
  type PromiseId,
} from '../../src/promises/index.js';
import { text, utf8 } from './fixtures/bytes.js';
import { DeferredStore, releaseAll, settle } from './fixtures/deferredStore.js';

const registryOn = (store = new InMemoryPromiseStore()) => new PromiseRegistry(store, { workerName: 'w1' });

describe('PromiseRegistry', () => {
  it('creates ids with increasing indexes under its worker name', async () => {
    const registry = registryOn();
    expect(await registry.createPromise()).toEqual({ workerName: 'w1', oplogIdx: 0 });
    expect(await registry.createPromise()).toEqual({ workerName: 'w1', oplogIdx: 1 });
    expect(registry.listPromises().map((s) => s.status)).toEqual(['pending', 'pending']);
  });

  it('wakes a waiter with the payload, once, then completes', async () => {
    const registry = registryOn();
    const id = await registry.createPromise();
    const all = lastValueFrom(registry.awaitPromise(id).pipe(toArray()));
    expect(await registry.completePromise(id, utf8('yes'))).toBe(true);
    expect((await all).map(text)).toEqual(['yes']);
  });

  it('keeps the value for late subscribers and for pollPromise', async () => {
    const registry = registryOn();
    const id = await registry.createPromise();
    expect(registry.pollPromise(id)).toBeUndefined();
    await registry.completePromise(id, utf8('v'));
    expect(text(registry.pollPromise(id))).toBe('v');
    expect(text(await firstValueFrom(registry.awaitPromise(id)))).toBe('v');
    expect(text(await registry.awaitPromiseValue(id))).toBe('v');
    expect(registry.getPromiseState(id)).toEqual({ id, status: 'completed', data: utf8('v') });
  });

  it('copies payloads in and out, so no caller can change what another sees', async () => {
    const registry = registryOn();
    const id = await registry.createPromise();
    const data = utf8('abc');
    await registry.completePromise(id, data);
    data[0] = 0x7a;
    const first = await registry.awaitPromiseValue(id);
    first[1] = 0x7a;
    expect(text(await registry.awaitPromiseValue(id))).toBe('abc');
    expect(text(registry.pollPromise(id))).toBe('abc');
  });

  it('forgets waiters that unsubscribed (no leak, nothing delivered to them)', async () => {
    let deliveries = 0;
    const counting: SchedulerLike = {
      now: () => asyncScheduler.now(),
      schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T) {
        deliveries++;
        return asyncScheduler.schedule(work, delay, state);
      },
    };
    const registry = new PromiseRegistry(new InMemoryPromiseStore(), { scheduler: counting });
    const id = await registry.createPromise();
    for (let i = 0; i < 5; i++) registry.awaitPromise(id).subscribe().unsubscribe();
    const live = registry.awaitPromiseValue(id);
    await registry.completePromise(id, utf8('x'));
    expect(text(await live)).toBe('x');
    expect(deliveries).toBe(1);
  });

  it('first writer wins: only the first completion is true, later ones are false', async () => {
    const registry = registryOn();
    const id = await registry.createPromise();
    const results = await Promise.all(['a', 'b', 'c'].map((v) => registry.completePromise(id, utf8(v))));
    expect(results).toEqual([true, false, false]);
    expect(text(registry.pollPromise(id))).toBe('a');
  });

  it('first writer wins while writes are slow: later calls wait and see the first one', async () => {
    const store = new DeferredStore();
    const registry = new PromiseRegistry(store, { workerName: 'w1' });
    const id = await releaseAll(store, registry.createPromise());
    const calls = Array.from({ length: 10 }, (_, i) => registry.completePromise(id, utf8(`v${i}`)));
    await settle();
    expect(store.waiting).toBe(1); // one write at a time; the others wait for its outcome
    const results = await releaseAll(store, Promise.all(calls));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(results[0]).toBe(true);
    expect(text(registry.pollPromise(id))).toBe('v0');
    expect(store.inner.records.filter((r) => r.type === 'completed')).toHaveLength(1);
  });

  it('acknowledges only after the store is durable, and loses no wake-up in between', async () => {
    const store = new DeferredStore();
    const registry = new PromiseRegistry(store, { workerName: 'w1' });
    const id = await releaseAll(store, registry.createPromise());
    let acknowledged: boolean | undefined;
    void registry.completePromise(id, utf8('late')).then((ok) => (acknowledged = ok));
    await settle();
    // The write is in flight: nothing is acknowledged or visible yet; a waiter subscribes now.
    expect(acknowledged).toBeUndefined();
    expect(registry.pollPromise(id)).toBeUndefined();
    const value = registry.awaitPromiseValue(id);
    store.release();
    expect(text(await value)).toBe('late');
    expect(acknowledged).toBe(true);
  });

  it('keeps a promise pending when the store fails its completion, and a retry can win', async () => {
    const store = new DeferredStore();
    const registry = new PromiseRegistry(store, { workerName: 'w1' });
    const id = await releaseAll(store, registry.createPromise());
    store.failNext = new Error('disk full');
    const failed = registry.completePromise(id, utf8('x'));
    const retried = registry.completePromise(id, utf8('y'));
    await expect(releaseAll(store, failed)).rejects.toThrow('disk full');
    expect(await releaseAll(store, retried)).toBe(true);
    expect(text(registry.pollPromise(id))).toBe('y');
  });

  it('rejects an unknown id with PromiseNotFoundError everywhere', async () => {
    const registry = registryOn();
    await registry.createPromise();
    const foreign: PromiseId = { workerName: 'other', oplogIdx: 0 };
    const unknown: PromiseId = { workerName: 'w1', oplogIdx: 99 };
    for (const id of [foreign, unknown]) {
      const err: unknown = await registry.completePromise(id, utf8('x')).catch((e: unknown) => e);
      expect(isPromiseNotFoundError(err) && err.reason).toBe('unknown');
      expect(() => registry.pollPromise(id)).toThrow(
        expect.objectContaining({ name: 'PromiseNotFoundError' }),
      );
      await expect(registry.awaitPromiseValue(id)).rejects.toSatisfy(isPromiseNotFoundError);
    }
    await expect(registry.completePromise(unknown, 'x' as unknown as Uint8Array)).rejects.toThrow(TypeError);
  });

  describe('deletePromise', () => {
    it('deletes pending and completed promises once; their ids are then not found', async () => {
      const registry = registryOn();
      const pending = await registry.createPromise();
      const done = await registry.createPromise();
      await registry.completePromise(done, utf8('x'));
      expect(await registry.deletePromise(pending)).toBe(true);
      expect(await registry.deletePromise(done)).toBe(true);
      expect(await registry.deletePromise(done)).toBe(false);
      expect(registry.listPromises()).toEqual([]);
      const err: unknown = await registry.completePromise(pending, utf8('x')).catch((e: unknown) => e);
      expect(isPromiseNotFoundError(err) && err.reason).toBe('deleted');
      expect(() => registry.pollPromise(done)).toThrow(/deleted/);
    });

    it('errors waiters of a deleted promise with PromiseNotFoundError', async () => {
      const registry = registryOn();
      const id = await registry.createPromise();
      const waiting = registry.awaitPromiseValue(id);
      await registry.deletePromise(id);
      await expect(waiting).rejects.toSatisfy(isPromiseNotFoundError);
    });

    it('never reuses the index of a deleted promise', async () => {
      const store = new InMemoryPromiseStore();
      const registry = registryOn(store);
      const a = await registry.createPromise();
      await registry.deletePromise(a);
      expect((await registryOn(store).createPromise()).oplogIdx).toBe(1);
    });
  });

  describe('JSON helpers', () => {
    it('round-trips a JSON value', async () => {
      const registry = registryOn();
      const id = await registry.createPromise();
      const value = registry.awaitPromiseJsonValue<{ approved: boolean; by: string }>(id);
      expect(await registry.completePromiseJson(id, { approved: true, by: 'ana' })).toBe(true);
      expect(await value).toEqual({ approved: true, by: 'ana' });
      expect(await firstValueFrom(registry.awaitPromiseJson(id))).toEqual({ approved: true, by: 'ana' });
      expect(text(registry.pollPromise(id))).toBe('{"approved":true,"by":"ana"}');
    });

    it('rejects values JSON cannot hold and payloads that are not JSON with PromisePayloadError', async () => {
      const registry = registryOn();
      const id = await registry.createPromise();
      await expect(registry.completePromiseJson(id, undefined)).rejects.toSatisfy(isPromisePayloadError);
      await expect(registry.completePromiseJson(id, 1n)).rejects.toSatisfy(isPromisePayloadError);
      expect(registry.pollPromise(id)).toBeUndefined();
      await registry.completePromise(id, utf8('{not json'));
      const err: unknown = await firstValueFrom(registry.awaitPromiseJson(id)).catch((e: unknown) => e);
      expect(isPromisePayloadError(err) && err.direction).toBe('decode');
      expect((err as Error).cause).toBeInstanceOf(SyntaxError);
    });
  });

  describe('awaitPromiseValue with an AbortSignal', () => {
    it('rejects with the abort reason and removes its listener', async () => {
      const registry = registryOn();
      const id = await registry.createPromise();
      const controller = new AbortController();
      const waiting = registry.awaitPromiseValue(id, { signal: controller.signal });
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
      controller.abort();
      await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      // the promise itself is untouched
      expect(await registry.completePromise(id, utf8('x'))).toBe(true);
    });

    it('rejects at once on an aborted signal and keeps no listener after a value', async () => {
      const registry = registryOn();
      const id = await registry.createPromise();
      const reason = new Error('user gave up');
      await expect(registry.awaitPromiseValue(id, { signal: AbortSignal.abort(reason) })).rejects.toBe(
        reason,
      );
      const controller = new AbortController();
      const waiting = registry.awaitPromiseValue(id, { signal: controller.signal });
      await registry.completePromise(id, utf8('x'));
      expect(text(await waiting)).toBe('x');
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    });
  });

  describe('close and restart', () => {
    it('errors waiters with PromiseRegistryClosedError and refuses later mutations', async () => {
      const store = new InMemoryPromiseStore();
      const registry = registryOn(store);
      const id = await registry.createPromise();
      const waiting = registry.awaitPromiseValue(id);
      const creating = registry.createPromise(); // started before close: finishes
      await registry.close();
      expect((await creating).oplogIdx).toBe(1);
      await expect(waiting).rejects.toSatisfy(isPromiseRegistryClosedError);
      await expect(registry.createPromise()).rejects.toSatisfy(isPromiseRegistryClosedError);
      await expect(registry.completePromise(id, utf8('x'))).rejects.toSatisfy(isPromiseRegistryClosedError);
      await expect(registry.awaitPromiseValue(id)).rejects.toSatisfy(isPromiseRegistryClosedError);
      await registry.close(); // idempotent

      // A new registry over the same store finds both promises pending and can finish the wait.
      const restarted = registryOn(store);
      expect(restarted.listPromises().map((s) => [s.id.oplogIdx, s.status])).toEqual([
        [0, 'pending'],
        [1, 'pending'],
      ]);
      const resumed = restarted.awaitPromiseValue(id);
      expect(await restarted.completePromise(id, utf8('after restart'))).toBe(true);
      expect(text(await resumed)).toBe('after restart');
    });

    it('delivers through the given scheduler, never inside the completing call by default', async () => {
      const sync = new PromiseRegistry(new InMemoryPromiseStore(), { scheduler: queueScheduler });
      const id = await sync.createPromise();
      const seen: string[] = [];
      sync.awaitPromise(id).subscribe((v) => seen.push(text(v)!));
      void sync.completePromise(id, utf8('now'));
      expect(seen).toEqual(['now']);

      const async = registryOn();
      const id2 = await async.createPromise();
      const seen2: string[] = [];
      async.awaitPromise(id2).subscribe((v) => seen2.push(text(v)!));
      void async.completePromise(id2, utf8('later'));
      expect(seen2).toEqual([]);
      await firstValueFrom(async.awaitPromise(id2)); // delivered after the first subscriber's value
      expect(seen2).toEqual(['later']);
    });
  });
});
