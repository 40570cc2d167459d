import {
  Observable,
  asyncScheduler,
  firstValueFrom,
  map,
  merge,
  type SchedulerLike,
  type Subscriber,
  type Subscription,
} from 'rxjs';
import { PromiseConflictError } from './errors/PromiseConflictError.js';
import { PromiseNotFoundError } from './errors/PromiseNotFoundError.js';
import { PromiseRegistryClosedError } from './errors/PromiseRegistryClosedError.js';
import { FileJournalPromiseStore } from './FileJournalPromiseStore.js';
import { MutationQueue, type Decision } from './mutationQueue.js';
import { decodePromiseJson, encodePromiseJson } from './promiseJson.js';
import { isPromiseId, type PromiseId } from './PromiseId.js';
import type { PromiseRecord, PromiseStore } from './PromiseStore.js';

/** Where {@link PromiseRegistry.open} keeps its journal unless told otherwise (relative to the working directory). */
export const DEFAULT_PROMISE_JOURNAL_PATH = '.golem-rx/promises.jsonl';

/** Options of a {@link PromiseRegistry}. */
export interface PromiseRegistryConfig {
  /**
   * The worker that owns the promises: part of every {@link PromiseId} and of the HTTP path.
   * A shared store names its worker (`store.workerName`): the registry takes it, and refuses
   * another name here.
   * @default store.workerName ?? 'requestor'
   */
  workerName?: string;
  /**
   * Delivers values to `awaitPromise` subscribers (never synchronously inside the completing
   * call). Pass the `TestScheduler` in marble tests.
   * @default asyncScheduler
   */
  scheduler?: SchedulerLike;
}

/** Options of {@link PromiseRegistry.open}. */
export interface OpenPromiseRegistryConfig extends PromiseRegistryConfig {
  /**
   * The journal file of the default {@link FileJournalPromiseStore}.
   * @default DEFAULT_PROMISE_JOURNAL_PATH ('.golem-rx/promises.jsonl')
   */
  journalPath?: string;
}

/** Options of the Promise forms ({@link PromiseRegistry.awaitPromiseValue}). */
export interface AwaitPromiseOptions {
  /** Stops waiting: the Promise rejects with the signal's reason (an `AbortError` by default). */
  signal?: AbortSignal;
}

/** What {@link PromiseRegistry.getPromiseState} reports about one promise. */
export interface PromiseState {
  /** The promise. */
  readonly id: PromiseId;
  /** Completed once its payload is durable; pending before. */
  readonly status: 'pending' | 'completed';
  /** The payload (a copy), when completed. */
  readonly data?: Uint8Array;
}

interface Entry {
  data: Uint8Array | undefined;
  readonly waiters: Set<Subscriber<Uint8Array>>;
}

/**
 * Durable single-assignment values that a worker awaits and code or an HTTP call completes, as
 * Golem promises: `createPromise` → hand the id to whoever decides → `awaitPromise` →
 * `completePromise` (here, or through {@link startPromiseServer}).
 *
 * Guarantees:
 * - **First writer wins.** Mutations run one at a time in call order; the first completion
 *   resolves `true`, every later one `false`, however they interleave.
 * - **Acknowledged means durable.** `createPromise` and `completePromise` resolve, and waiters
 *   wake, only after the store has persisted the record (fsynced, with the default journal).
 * - **Restart.** A registry built on the same store (journal file) finds the pending and completed
 *   promises of the previous process; awaiting them resumes where it left off.
 * - **No lost wake-up.** `awaitPromise` checks the state and registers its waiter in the same
 *   synchronous turn in which a completion is applied, so a completion can never fall between.
 * - **Many processes.** On a shared store ({@link NatsKvPromiseStore}) registries of the same
 *   worker on several hosts see each other's promises: a completion made anywhere wakes the
 *   waiters everywhere, and of two completions racing on different hosts the store lets exactly one
 *   win; the other resolves `false` and sees the winner's value.
 *
 * @example
 * ```ts
 * const registry = await PromiseRegistry.open({ journalPath: 'promises.jsonl' });
 * const id = await registry.createPromise();
 * registry.awaitPromiseJson<{ approved: boolean }>(id).subscribe({
 *   next: ({ approved }) => console.log(approved ? 'go' : 'stop'),
 *   error: (err: unknown) => console.error(err),
 * });
 * await registry.completePromiseJson(id, { approved: true }); // true: first writer
 * ```
 */
export class PromiseRegistry {
  /** The worker that owns this registry's promises. */
  readonly workerName: string;
  private readonly scheduler: SchedulerLike;
  private readonly entries = new Map<number, Entry>();
  private readonly queue: MutationQueue;
  private nextOplogIdx: number;
  private closing: Promise<void> | undefined;
  private closed = false;
  /** The shared store's feed of other writers' records, while open. */
  private readonly changes: Subscription | undefined;
  /** Why the shared store's feed failed, if it did: no wake-up can come from elsewhere any more. */
  private changesFailure: { readonly error: unknown } | undefined;

  /**
   * Opens a registry on the default file journal (created if absent). Rejects with
   * `PromiseJournalError` when the journal is corrupt or unusable.
   */
  static async open(config: OpenPromiseRegistryConfig = {}): Promise<PromiseRegistry> {
    const store = await FileJournalPromiseStore.open(config.journalPath ?? DEFAULT_PROMISE_JOURNAL_PATH);
    return new PromiseRegistry(store, config);
  }

  /**
   * Builds a registry on an opened store, taking over its promises. The registry owns the store
   * from now on: `close()` closes it.
   */
  constructor(
    private readonly store: PromiseStore,
    config: PromiseRegistryConfig = {},
  ) {
    const workerName = config.workerName ?? store.workerName ?? 'requestor';
    if (workerName === '') throw new TypeError('PromiseRegistry: workerName must not be empty');
    if (store.workerName !== undefined && store.workerName !== workerName) {
      throw new TypeError(
        `PromiseRegistry: workerName ${workerName} is not the store's worker ${store.workerName}`,
      );
    }
    this.workerName = workerName;
    this.scheduler = config.scheduler ?? asyncScheduler;
    const snapshot = store.snapshot();
    this.nextOplogIdx = snapshot.nextOplogIdx;
    for (const { oplogIdx, data } of snapshot.promises) {
      this.entries.set(oplogIdx, {
        data: data === undefined ? undefined : new Uint8Array(data),
        waiters: new Set(),
      });
    }
    this.queue = new MutationQueue(
      (record) => this.store.append(record),
      (record, attempts) =>
        new PromiseConflictError({ workerName, operation: record.type, oplogIdx: record.oplogIdx, attempts }),
    );
    this.changes = store.changes$?.subscribe({
      next: (record) => this.applyChange(record),
      error: (err: unknown) => this.changesFailed(err),
    });
  }

  /** Creates a pending promise; resolves with its id once the creation is durable. */
  createPromise(): Promise<PromiseId> {
    return this.mutate(() => {
      const oplogIdx = this.nextOplogIdx++;
      return {
        record: { type: 'created', oplogIdx },
        apply: () => {
          // A shared store may have delivered our own record already.
          if (!this.entries.has(oplogIdx))
            this.entries.set(oplogIdx, { data: undefined, waiters: new Set() });
          return { workerName: this.workerName, oplogIdx };
        },
      };
    });
  }

  /**
   * Awaits the promise's payload.
   *
   * ```text
   * completion:  ----c-----
   * result:      ----(v|)       (subscribed while pending)
   * late:               ^(v|)   (subscribed after completion: the value is kept)
   * ```
   *
   * Cold: each subscription checks the promise and waits on its own; the value is delivered on the
   * registry's scheduler, and every subscriber gets its own copy of the bytes. Unsubscribing stops
   * waiting and changes nothing in the promise.
   * Errors: `PromiseNotFoundError` when the id is unknown here, or when the promise is deleted
   * while awaited; `PromiseRegistryClosedError` when the registry closes while waiting.
   */
  awaitPromise(id: PromiseId): Observable<Uint8Array> {
    return new Observable<Uint8Array>((subscriber) => this.attach(subscriber, id, true));
  }

  /** The Promise form of {@link awaitPromise}: resolves with the payload; the signal stops waiting. */
  awaitPromiseValue(id: PromiseId, options: AwaitPromiseOptions = {}): Promise<Uint8Array> {
    const { signal } = options;
    return firstValueFrom(
      signal === undefined ? this.awaitPromise(id) : merge(aborted(signal), this.awaitPromise(id)),
    );
  }

  /**
   * The payload if the promise is completed, `undefined` while pending; never waits.
   * Throws `PromiseNotFoundError` for an unknown id, `PromiseRegistryClosedError` after close.
   */
  pollPromise(id: PromiseId): Uint8Array | undefined {
    const { data } = this.getPromiseState(id);
    return data;
  }

  /**
   * Completes the promise with `data` (copied). Resolves `true` once the completion is durable and
   * the waiters are woken; `false` when it was already completed (the first writer wins; on a
   * shared store also when another host's completion won the race: the winner's value is then here).
   * Rejects with `PromiseNotFoundError` for an unknown or deleted id, with the store's error
   * (`PromiseJournalError`) when the write fails (the promise then stays pending).
   */
  completePromise(id: PromiseId, data: Uint8Array): Promise<boolean> {
    if (!(data instanceof Uint8Array)) {
      return Promise.reject(new TypeError('completePromise: data must be a Uint8Array'));
    }
    const payload = new Uint8Array(data);
    return this.mutateKnown(id, (): Decision<boolean> => {
      const entry = this.find(id);
      if (entry === undefined) throw this.notFound(id);
      if (entry.data !== undefined) return { result: false };
      return {
        record: { type: 'completed', oplogIdx: id.oplogIdx, data: payload },
        apply: () => {
          // A shared store may have delivered our own completion already: then it woke the waiters.
          if (entry.data === undefined) this.fulfil(entry, payload);
          return true;
        },
      };
    });
  }

  /**
   * Deletes the promise and its payload, once durable. Resolves `true` when it existed, `false`
   * when it did not (deleting is idempotent). Its waiters error with `PromiseNotFoundError`
   * (reason `'deleted'`), as does every later use of the id; its index is never reused.
   */
  deletePromise(id: PromiseId): Promise<boolean> {
    return this.mutateKnown(id, (): Decision<boolean> => {
      const entry = this.find(id);
      if (entry === undefined) return { result: false };
      return {
        record: { type: 'deleted', oplogIdx: id.oplogIdx },
        apply: () => {
          this.remove(id.oplogIdx, entry);
          return true;
        },
      };
    });
  }

  /** {@link completePromise} with `value` as UTF-8 JSON; rejects with `PromisePayloadError` when JSON cannot represent it. */
  async completePromiseJson(id: PromiseId, value: unknown): Promise<boolean> {
    return this.completePromise(id, encodePromiseJson(id, value));
  }

  /**
   * {@link awaitPromise}, decoding the payload as UTF-8 JSON. `T` is unchecked: validate data
   * that comes from outside. Errors additionally with `PromisePayloadError` when it is not JSON.
   */
  awaitPromiseJson<T = unknown>(id: PromiseId): Observable<T> {
    return this.awaitPromise(id).pipe(map((data) => decodePromiseJson<T>(id, data)));
  }

  /** The Promise form of {@link awaitPromiseJson}. */
  awaitPromiseJsonValue<T = unknown>(id: PromiseId, options: AwaitPromiseOptions = {}): Promise<T> {
    return this.awaitPromiseValue(id, options).then((data) => decodePromiseJson<T>(id, data));
  }

  /**
   * Whether the promise is pending or completed (with a copy of its payload).
   * Throws `PromiseNotFoundError` for an unknown id, `PromiseRegistryClosedError` after close.
   */
  getPromiseState(id: PromiseId): PromiseState {
    if (this.closed) throw new PromiseRegistryClosedError(this.workerName);
    const entry = this.find(id);
    if (entry === undefined) throw this.notFound(id);
    return this.stateOf(id.oplogIdx, entry);
  }

  /** Every live promise, pending and completed, in creation order: what a restarted worker resumes. */
  listPromises(): PromiseState[] {
    return [...this.entries]
      .sort(([a], [b]) => a - b)
      .map(([oplogIdx, entry]) => this.stateOf(oplogIdx, entry));
  }

  /**
   * Lets the mutations already started finish, errors every waiting `awaitPromise` with
   * `PromiseRegistryClosedError` (their promises stay pending in the store), and closes the store.
   * Later mutations reject with `PromiseRegistryClosedError`. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.queue
      .run(() => ({ result: undefined }))
      .then(async () => {
        this.closed = true;
        this.changes?.unsubscribe();
        for (const entry of this.entries.values()) {
          for (const waiter of entry.waiters) waiter.error(new PromiseRegistryClosedError(this.workerName));
          entry.waiters.clear();
        }
        await this.store.close();
      });
    return this.closing;
  }

  private mutate<T>(decide: () => Decision<T>): Promise<T> {
    if (this.closing !== undefined) return Promise.reject(new PromiseRegistryClosedError(this.workerName));
    return this.queue.run(decide);
  }

  /** {@link mutate}, after asking a shared store about an id this registry has not seen yet. */
  private mutateKnown<T>(id: PromiseId, decide: () => Decision<T>): Promise<T> {
    const refreshing = this.refreshUnknown(id);
    return refreshing === undefined ? this.mutate(decide) : refreshing.then(() => this.mutate(decide));
  }

  /**
   * For a shared store and an id of this worker that is not known here: the store's refresh (the
   * promise may have been created elsewhere a moment ago). Otherwise undefined, and nothing waits.
   */
  private refreshUnknown(id: PromiseId): Promise<void> | undefined {
    if (this.store.refresh === undefined || this.closing !== undefined || this.find(id) !== undefined) {
      return undefined;
    }
    if (!isPromiseId(id) || id.workerName !== this.workerName) return undefined;
    return this.store.refresh(id.oplogIdx);
  }

  /** Registers a waiter (or delivers, or errors); a shared store may be asked about an unknown id once. */
  private attach(
    subscriber: Subscriber<Uint8Array>,
    id: PromiseId,
    mayRefresh: boolean,
  ): (() => void) | undefined {
    if (this.closed) {
      subscriber.error(new PromiseRegistryClosedError(this.workerName));
      return undefined;
    }
    const entry = this.find(id);
    if (entry === undefined) {
      const refreshing = mayRefresh ? this.refreshUnknown(id) : undefined;
      if (refreshing === undefined) subscriber.error(this.notFound(id));
      else {
        void refreshing.then(
          () => {
            if (!subscriber.closed) subscriber.add(this.attach(subscriber, id, false));
          },
          (err: unknown) => subscriber.error(err),
        );
      }
      return undefined;
    }
    if (entry.data !== undefined) {
      this.deliver(subscriber, entry.data);
      return undefined;
    }
    if (this.changesFailure !== undefined) {
      subscriber.error(this.changesFailure.error);
      return undefined;
    }
    entry.waiters.add(subscriber);
    return () => entry.waiters.delete(subscriber);
  }

  /** Sets the payload and wakes the waiters. */
  private fulfil(entry: Entry, payload: Uint8Array): void {
    entry.data = payload;
    for (const waiter of entry.waiters) this.deliver(waiter, payload);
    entry.waiters.clear();
  }

  /** Forgets the promise; its waiters error as deleted. */
  private remove(oplogIdx: number, entry: Entry): void {
    this.entries.delete(oplogIdx);
    const id = { workerName: this.workerName, oplogIdx };
    for (const waiter of entry.waiters) waiter.error(new PromiseNotFoundError(id, 'deleted'));
    entry.waiters.clear();
  }

  /**
   * Applies a record another writer made (a shared store's `changes$`). Idempotent: a record this
   * registry already applied (its own, echoed) changes nothing; the first completion stays.
   */
  private applyChange(record: PromiseRecord): void {
    if (this.closed) return;
    const { oplogIdx } = record;
    this.nextOplogIdx = Math.max(this.nextOplogIdx, oplogIdx + 1);
    const entry = this.entries.get(oplogIdx);
    switch (record.type) {
      case 'created':
        if (entry === undefined) this.entries.set(oplogIdx, { data: undefined, waiters: new Set() });
        return;
      case 'completed':
        if (entry === undefined) {
          this.entries.set(oplogIdx, { data: new Uint8Array(record.data), waiters: new Set() });
        } else if (entry.data === undefined) this.fulfil(entry, new Uint8Array(record.data));
        return;
      case 'deleted':
        if (entry !== undefined) this.remove(oplogIdx, entry);
        return;
    }
  }

  /** The shared store's feed failed: nothing from elsewhere can wake a waiter any more, so they error. */
  private changesFailed(error: unknown): void {
    this.changesFailure = { error };
    for (const entry of this.entries.values()) {
      for (const waiter of entry.waiters) waiter.error(error);
      entry.waiters.clear();
    }
  }

  private find(id: PromiseId): Entry | undefined {
    return isPromiseId(id) && id.workerName === this.workerName ? this.entries.get(id.oplogIdx) : undefined;
  }

  private notFound(id: PromiseId): PromiseNotFoundError {
    const wasHere = isPromiseId(id) && id.workerName === this.workerName && id.oplogIdx < this.nextOplogIdx;
    return new PromiseNotFoundError(id, wasHere ? 'deleted' : 'unknown');
  }

  private stateOf(oplogIdx: number, entry: Entry): PromiseState {
    const id = { workerName: this.workerName, oplogIdx };
    return entry.data === undefined
      ? { id, status: 'pending' }
      : { id, status: 'completed', data: new Uint8Array(entry.data) };
  }

  private deliver(subscriber: Subscriber<Uint8Array>, data: Uint8Array): void {
    subscriber.add(
      this.scheduler.schedule(() => {
        subscriber.next(new Uint8Array(data));
        subscriber.complete();
      }),
    );
  }
}

/** Errors with the signal's reason when it aborts (an `AbortError` if the reason is no Error). */
function aborted(signal: AbortSignal): Observable<never> {
  return new Observable<never>((subscriber) => {
    const onAbort = () => {
      const reason: unknown = signal.reason;
      subscriber.error(
        reason instanceof Error ? reason : new DOMException('The operation was aborted', 'AbortError'),
      );
    };
    if (signal.aborted) {
      onAbort();
      return undefined;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    return () => signal.removeEventListener('abort', onAbort);
  });
}
