import type { Observable } from 'rxjs';

/**
 * One change to a worker's promises, as a {@link PromiseStore} persists it. Records are appended in
 * the order the registry decided them; replaying them rebuilds the state.
 */
export type PromiseRecord =
  | { readonly type: 'created'; readonly oplogIdx: number }
  | { readonly type: 'completed'; readonly oplogIdx: number; readonly data: Uint8Array }
  | { readonly type: 'deleted'; readonly oplogIdx: number };

/** One live promise in a {@link PromiseStoreSnapshot}: pending when `data` is absent. */
export interface StoredPromise {
  /** The promise's index. */
  readonly oplogIdx: number;
  /** The payload it was completed with; absent while pending. */
  readonly data?: Uint8Array;
}

/** The state a {@link PromiseStore} holds: its live promises and the next index to hand out. */
export interface PromiseStoreSnapshot {
  /** Greater than every index ever created, deleted ones included, so indexes are never reused. */
  readonly nextOplogIdx: number;
  /** The promises not deleted, in index order. */
  readonly promises: readonly StoredPromise[];
}

/**
 * What `append` answers besides success: `'conflict'` when a shared store refused the write because
 * another writer changed the promise first (compare-and-set lost). Before answering it the store has
 * delivered the state that won through `changes$`, so the registry decides again from it.
 */
export type PromiseAppendOutcome = void | 'conflict';

/**
 * Where a {@link PromiseRegistry} keeps its promises so that they outlive the process.
 *
 * The contract:
 * - `snapshot()` is synchronous and returns the current state (a store that loads from disk or a
 *   database does so in its own async factory, before the registry is built on it).
 * - `append(record)` persists one record. It settles only when the record is durable: a registry
 *   acknowledges a completion (resolves `completePromise`, answers the HTTP call, wakes waiters)
 *   only after `append` has settled. It may return `void` when the write is synchronous (the
 *   in-memory store does), which keeps the registry usable inside virtual time.
 *   The registry never calls `append` again before the previous call settled.
 * - `close()` releases the resources; the registry calls it from its own `close()`.
 *
 * A store that other processes write too (a shared store, such as {@link NatsKvPromiseStore})
 * also has:
 * - `changes$`: the records other writers made, in order for each promise, which the registry
 *   applies (wakes its waiters, learns of new and deleted promises). Replaying one it already
 *   knows changes nothing, so a store may also echo its own writes.
 * - `append` answering `'conflict'` when another writer got there first (see
 *   {@link PromiseAppendOutcome}); the registry then decides again, so a completion that lost
 *   resolves `false` and the winner's value is the one everyone sees.
 * - `refresh(oplogIdx)`: brings one promise up to date (through `changes$`) before resolving; the
 *   registry calls it before answering "not found" for an id another process may have just created.
 * - `workerName`: the worker whose promises it holds; the registry takes it as its own.
 *
 * Implementations: {@link FileJournalPromiseStore} (the default, a fsynced JSON-lines journal),
 * {@link InMemoryPromiseStore} (tests, or promises that need not survive the process) and
 * {@link NatsKvPromiseStore} (shared by processes on many hosts, on a JetStream key-value bucket).
 */
export interface PromiseStore {
  /** The current state: every live promise and the next index. */
  snapshot(): PromiseStoreSnapshot;
  /** Persists one record; settles when it is durable (or answers `'conflict'`, for a shared store). */
  append(record: PromiseRecord): Promise<PromiseAppendOutcome> | PromiseAppendOutcome;
  /** Releases the store's resources. Idempotent. */
  close(): Promise<void> | void;
  /** Shared stores: what other writers changed, from the moment of subscription (hot). */
  readonly changes$?: Observable<PromiseRecord>;
  /** Shared stores: brings the promise up to date through `changes$`, then resolves. */
  refresh?(oplogIdx: number): Promise<void>;
  /** Shared stores: the worker whose promises the store holds. */
  readonly workerName?: string;
}
