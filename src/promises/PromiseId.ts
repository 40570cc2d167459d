/**
 * Identifies one promise: the worker (registry) that owns it and the index of the journal entry
 * that created it, as Golem's `promise-id { worker-id, oplog-idx }` does (golem-rx has no
 * components, so the worker is named by `workerName` alone).
 *
 * A `PromiseId` is plain data: it survives `JSON.stringify`, a restart of the requestor and a trip
 * to the external system that will complete it.
 *
 * @example
 * ```ts
 * const id: PromiseId = { workerName: 'requestor', oplogIdx: 7 };
 * ```
 */
export interface PromiseId {
  /** The registry that owns the promise ({@link PromiseRegistry.workerName}). */
  readonly workerName: string;
  /** The promise's index in its worker's journal; never reused, not even after a delete. */
  readonly oplogIdx: number;
}

/** Is `value` a well-formed {@link PromiseId} (a worker name and a non-negative integer index)? */
export function isPromiseId(value: unknown): value is PromiseId {
  if (typeof value !== 'object' || value === null) return false;
  const { workerName, oplogIdx } = value as Partial<Record<keyof PromiseId, unknown>>;
  return typeof workerName === 'string' && isOplogIdx(oplogIdx);
}

/** Is `value` a usable oplog index (a safe, non-negative integer)? */
export function isOplogIdx(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Renders an id for messages and logs as `workerName/oplogIdx`, e.g. `requestor/7`. */
export function formatPromiseId(id: PromiseId): string {
  return `${id.workerName}/${id.oplogIdx}`;
}
