/**
 * The registry on a shared store (the part of the PromiseStore contract NatsKvPromiseStore uses),
 * with a scripted store in memory: other writers' records arrive on `changes$`, a lost
 * compare-and-set answers 'conflict', unknown ids are refreshed. No NATS needed.
 */
import { Subject, queueScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  InMemoryPromiseStore,
  PromiseRegistry,
  isPromiseConflictError,
  isPromiseNotFoundError,
  type PromiseAppendOutcome,
  type PromiseRecord,
  type PromiseStore,
  type PromiseStoreSnapshot,
} from 'golem-rx/promises';
import { text, utf8 } from '../promises/fixtures/bytes.js';

/** A shared store in memory: `others` writes as another host would, `script` decides appends. */
class SharedStore implements PromiseStore {
  readonly workerName = 'shared';
  readonly inner = new InMemoryPromiseStore();
  readonly changes = new Subject<PromiseRecord>();
  readonly changes$ = this.changes.asObservable();
  readonly refreshed: number[] = [];
  /** Records another host wrote that this store learns only when asked (refresh, conflict). */
  readonly unseen = new Map<number, PromiseRecord[]>();
  /** Decides an append before it is applied; 'conflict' means another host won (deliver first). */
  script: (record: PromiseRecord) => PromiseAppendOutcome = () => undefined;

  snapshot(): PromiseStoreSnapshot {
    return this.inner.snapshot();
  }

  async append(record: PromiseRecord): Promise<PromiseAppendOutcome> {
    await Promise.resolve();
    const outcome = this.script(record);
    if (outcome === 'conflict') return 'conflict';
    this.inner.append(record);
    return undefined;
  }

  close(): void {
    this.changes.complete();
  }

  /** Another host's write, delivered on `changes$` at once. */
  others(record: PromiseRecord): void {
    this.inner.append(record);
    this.changes.next(record);
  }

  /** Delivers what another host wrote to one promise, as a watch or a conflict's read would. */
  deliver(oplogIdx: number): void {
    for (const record of this.unseen.get(oplogIdx) ?? []) this.others(record);
    this.unseen.delete(oplogIdx);
  }

  async refresh(oplogIdx: number): Promise<void> {
    await Promise.resolve();
    this.refreshed.push(oplogIdx);
    this.deliver(oplogIdx);
  }
}

const id = (oplogIdx: number) => ({ workerName: 'shared', oplogIdx });

describe('PromiseRegistry on a shared store', () => {
  it("takes the store's worker name and refuses another", () => {
    expect(new PromiseRegistry(new SharedStore()).workerName).toBe('shared');
    expect(() => new PromiseRegistry(new SharedStore(), { workerName: 'other' })).toThrow(TypeError);
  });

  it('wakes its waiters on a completion another host made, and errors them on a deletion', async () => {
    const store = new SharedStore();
    const registry = new PromiseRegistry(store, { scheduler: queueScheduler });
    store.others({ type: 'created', oplogIdx: 0 });
    store.others({ type: 'created', oplogIdx: 1 });
    const woken = registry.awaitPromiseValue(id(0));
    const deleted = registry.awaitPromiseValue(id(1)).catch((err: unknown) => err);
    store.others({ type: 'completed', oplogIdx: 0, data: utf8('elsewhere') });
    store.others({ type: 'deleted', oplogIdx: 1 });
    expect(text(await woken)).toBe('elsewhere');
    const failure = await deleted;
    expect(isPromiseNotFoundError(failure) && failure.reason).toBe('deleted');
    // The second completion of a promise (an echo, or a stale record) changes nothing.
    store.others({ type: 'completed', oplogIdx: 0, data: utf8('stale') });
    expect(text(registry.pollPromise(id(0)))).toBe('elsewhere');
    expect((await registry.createPromise()).oplogIdx).toBe(2);
  });

  it("resolves false with the winner's value when its completion loses the compare-and-set", async () => {
    const store = new SharedStore();
    const registry = new PromiseRegistry(store, { scheduler: queueScheduler });
    const mine = await registry.createPromise();
    const waiter = registry.awaitPromiseValue(mine);
    store.unseen.set(mine.oplogIdx, [{ type: 'completed', oplogIdx: mine.oplogIdx, data: utf8('theirs') }]);
    store.script = (record) => {
      if (record.type !== 'completed') return undefined;
      store.deliver(record.oplogIdx); // the store shows the winner before answering 'conflict'
      return 'conflict';
    };
    expect(await registry.completePromise(mine, utf8('mine'))).toBe(false);
    expect(text(registry.pollPromise(mine))).toBe('theirs');
    expect(text(await waiter)).toBe('theirs');
  });

  it('takes the next index when another host created the one it chose', async () => {
    const store = new SharedStore();
    const registry = new PromiseRegistry(store, { scheduler: queueScheduler });
    store.unseen.set(0, [{ type: 'created', oplogIdx: 0 }]);
    store.script = (record) => {
      if (record.type !== 'created' || !store.unseen.has(record.oplogIdx)) return undefined;
      store.deliver(record.oplogIdx);
      return 'conflict';
    };
    expect(await registry.createPromise()).toEqual(id(1));
    expect(registry.listPromises().map((p) => p.id.oplogIdx)).toEqual([0, 1]);
  });

  it('asks the store about an id it has not seen before answering not found', async () => {
    const store = new SharedStore();
    const registry = new PromiseRegistry(store, { scheduler: queueScheduler });
    store.unseen.set(4, [{ type: 'created', oplogIdx: 4 }]);
    const waiter = registry.awaitPromiseValue(id(4));
    expect(await registry.completePromise(id(4), utf8('found'))).toBe(true);
    expect(text(await waiter)).toBe('found');
    const failure: unknown = await registry.completePromise(id(9), utf8('x')).catch((err: unknown) => err);
    expect(isPromiseNotFoundError(failure)).toBe(true);
    expect(new Set(store.refreshed)).toEqual(new Set([4, 9]));
    const asked = store.refreshed.length;
    // Another worker's id is never looked up.
    await expect(registry.awaitPromiseValue({ workerName: 'else', oplogIdx: 4 })).rejects.toThrow(
      /not found/,
    );
    expect(store.refreshed).toHaveLength(asked);
  });

  it('gives up with PromiseConflictError when the store keeps answering conflict', async () => {
    const store = new SharedStore();
    const registry = new PromiseRegistry(store, { scheduler: queueScheduler });
    const first = await registry.createPromise();
    let attempts = 0;
    store.script = () => (attempts++, 'conflict');
    const failure: unknown = await registry.completePromise(first, utf8('x')).catch((err: unknown) => err);
    expect(isPromiseConflictError(failure) && [failure.operation, failure.attempts]).toEqual([
      'completed',
      100,
    ]);
    expect(attempts).toBe(100);
    expect(registry.getPromiseState(first).status).toBe('pending');
    store.script = () => undefined;
    expect(await registry.completePromise(first, utf8('y'))).toBe(true);
  });

  it("errors its waiters when the store's feed fails (no wake-up can come from elsewhere)", async () => {
    const store = new SharedStore();
    const registry = new PromiseRegistry(store, { scheduler: queueScheduler });
    const pending = await registry.createPromise();
    const done = await registry.createPromise();
    await registry.completePromise(done, utf8('kept'));
    const waiter = registry.awaitPromiseValue(pending).catch((err: unknown) => err);
    const broken = new Error('watch ended for good');
    store.changes.error(broken);
    expect(await waiter).toBe(broken);
    await expect(registry.awaitPromiseValue(pending)).rejects.toBe(broken);
    expect(text(await registry.awaitPromiseValue(done))).toBe('kept');
  });

  it('stops applying changes after close', async () => {
    const store = new SharedStore();
    const registry = new PromiseRegistry(store, { scheduler: queueScheduler });
    await registry.close();
    expect(store.changes.observed).toBe(false);
  });
});
