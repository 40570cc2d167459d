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
 * Implementations: {@link FileJournalPromiseStore} (the default, a fsynced JSON-lines journal) and
 * {@link InMemoryPromiseStore} (tests, or promises that need not survive the process).
 */
export interface PromiseStore {
  /** The current state: every live promise and the next index. */
  snapshot(): PromiseStoreSnapshot;
  /** Persists one record; settles when it is durable. */
  append(record: PromiseRecord): Promise<void> | void;
  /** Releases the store's resources. Idempotent. */
  close(): Promise<void> | void;
}
