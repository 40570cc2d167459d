/**
 * The hand-off of a demand slot from one spending operator to the next.
 *
 * A spending operator (`createAgreement`, `createActivity`) emits what it made with the
 * {@link Lease} of the slot that made it. The lease is attached to the value only for the length
 * of the synchronous `next` call: a spending operator further down that receives the value during
 * that call (through any synchronous operators in between: `tap`, `filter`, `map` keeping the
 * object, `take`) claims the lease and releases it when it is done with the value; if nobody
 * claims it, the value reached its consumer and the lease is released as soon as `next` returns.
 * So a slot stays taken until what it produced has been *consumed*, wherever the chain ends.
 *
 * @module
 */
import type { Subscriber } from 'rxjs';
import type { Lease } from '../lease.js';

/** Leases of values being emitted right now, keyed by the value. */
const inHand = new WeakMap<object, Lease>();

/**
 * Emits `value` to `subscriber` with `lease` attached for the synchronous part of the emission;
 * releases the lease afterwards unless a downstream operator claimed it.
 */
export function handOn<T extends object>(subscriber: Subscriber<T>, value: T, lease: Lease): void {
  inHand.set(value, lease);
  try {
    subscriber.next(value);
  } finally {
    if (inHand.get(value) === lease) {
      inHand.delete(value);
      lease.release();
    }
  }
}

/**
 * Takes over the lease attached to `value` while it is being emitted by a spending operator
 * upstream (see {@link handOn}): the caller must release it when done with the value. Returns
 * `undefined` when no lease is attached (the value came through an asynchronous operator, or
 * from a source that is not a spending operator).
 */
export function claimLease(value: object): Lease | undefined {
  const lease = inHand.get(value);
  if (lease !== undefined) inHand.delete(value);
  return lease;
}
