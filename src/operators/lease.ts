import type { DraftProposal, OfferProposal } from '../ports/index.js';

/**
 * A slot of `negotiate(n)`, held by one draft it emitted. While the lease is held the draft counts
 * against `n` (as "ready but unconsumed"); releasing it lets `negotiate` counter the next best
 * proposal. `createAgreement` releases it when it is done with the draft, `filterDrafts` when it
 * drops one; code that consumes drafts by itself must call `release()` when done.
 */
export interface Lease {
  /** Gives the slot back. Idempotent; a no-op after `negotiate` has been unsubscribed. */
  release(): void;
  /** Whether `release()` has been called. */
  readonly released: boolean;
}

/**
 * What `negotiate` emits: the provider's draft, the offer it answers, the score it was chosen
 * with, and the {@link Lease} of its slot.
 */
export interface NegotiatedDraft<
  D extends DraftProposal = DraftProposal,
  P extends OfferProposal = OfferProposal,
> {
  /** The provider's draft: an agreement can be made from it. */
  readonly draft: D;
  /** The offer we countered. */
  readonly offer: P;
  /** The score the offer was chosen with (`0` when it came to `negotiate` unscored). */
  readonly score: number;
  /** The slot this draft holds in `negotiate`; release it when done with the draft. */
  readonly lease: Lease;
}

/**
 * Creates a {@link Lease} that calls `onRelease` once, on its first `release()`. `negotiate` makes
 * its leases with it; tests and custom stages may use it to feed `createAgreement` directly.
 *
 * @example
 * ```ts
 * const lease = createLease(() => console.log('slot free'));
 * lease.release(); // logs once
 * lease.release(); // no-op
 * ```
 */
export function createLease(onRelease: () => void = () => undefined): Lease {
  let released = false;
  return {
    get released() {
      return released;
    },
    release() {
      if (released) return;
      released = true;
      onRelease();
    },
  };
}

/** Is `item` a {@link NegotiatedDraft} (rather than a bare draft)? */
export function isNegotiatedDraft<D extends DraftProposal>(
  item: D | NegotiatedDraft<D>,
): item is NegotiatedDraft<D> {
  return (
    'lease' in item &&
    'draft' in item &&
    typeof (item as { createAgreement?: unknown }).createAgreement !== 'function'
  );
}
