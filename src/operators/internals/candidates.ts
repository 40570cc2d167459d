/**
 * The proposals `negotiate` holds, best first, with its rule of one draft per provider
 * (`distinctProviders`): a provider has at most one candidate waiting (the better of its offers:
 * a higher score, or the newer one on a tie), none while it is being countered but the best of
 * its later offers, and none at all once it gave a draft. So the heap holds at most one proposal
 * per provider however often providers re-issue their offers.
 *
 * @module
 */
import type { OfferProposal } from '../../ports/index.js';
import type { Scored } from '../score.js';
import { MaxHeap, bestFirst } from './heap.js';

/** A proposal waiting for a slot, with its arrival number. */
export interface Candidate<P extends OfferProposal> extends Scored<P> {
  readonly seq: number;
}

/** Why a candidate left without being countered. */
export type DropReason = 'expired' | 'provider';

/** Is `a` the one to keep of two offers of one provider? The higher score; the newer on a tie. */
function preferred<P extends OfferProposal>(a: Candidate<P>, b: Candidate<P>): boolean {
  return a.score > b.score || (a.score === b.score && a.seq > b.seq);
}

/** The candidates of one `negotiate` subscription. */
export class Candidates<P extends OfferProposal> {
  private readonly heap: MaxHeap<Candidate<P>>;
  /** distinct: the candidate of each provider in the heap. */
  private readonly queued = new Map<string, Candidate<P>>();
  /** distinct: providers being countered, with the best of their later offers. */
  private readonly countering = new Map<string, Candidate<P> | undefined>();
  /** distinct: providers that gave a draft. */
  private readonly drafted = new Set<string>();

  /**
   * @param distinct one draft per provider
   * @param dropped called for each candidate that leaves without being countered
   */
  constructor(
    private readonly distinct: boolean,
    private readonly dropped: (candidate: Candidate<P>, reason: DropReason) => void,
  ) {
    this.heap = new MaxHeap<Candidate<P>>(bestFirst, distinct);
  }

  /** How many candidates wait in the heap. */
  get size(): number {
    return this.heap.size;
  }

  /** A proposal arrived. */
  add(candidate: Candidate<P>): void {
    if (!this.distinct) {
      this.heap.push(candidate);
      return;
    }
    const { providerId } = candidate.proposal;
    if (this.drafted.has(providerId)) {
      this.dropped(candidate, 'provider');
    } else if (this.countering.has(providerId)) {
      const waiting = this.countering.get(providerId);
      this.countering.set(providerId, this.keep(waiting, candidate));
    } else {
      const held = this.queued.get(providerId);
      const kept = this.keep(held, candidate);
      if (kept === held) return;
      if (held !== undefined) this.heap.remove(held);
      this.heap.push(kept);
      this.queued.set(providerId, kept);
    }
  }

  /**
   * The best candidate to counter now, its provider marked as being countered; expired ones met
   * on the way are dropped. `undefined` when none is left.
   */
  take(expired: (proposal: P) => boolean): Candidate<P> | undefined {
    for (let candidate = this.heap.pop(); candidate !== undefined; candidate = this.heap.pop()) {
      const { providerId } = candidate.proposal;
      if (this.distinct) this.queued.delete(providerId);
      if (expired(candidate.proposal)) {
        this.dropped(candidate, 'expired');
        continue;
      }
      if (this.distinct) this.countering.set(providerId, undefined);
      return candidate;
    }
    return undefined;
  }

  /** The counter to `providerId` ended: with a draft (the provider is done), or without one. */
  settled(providerId: string, gaveDraft: boolean): void {
    if (!this.distinct) return;
    const waiting = this.countering.get(providerId);
    this.countering.delete(providerId);
    if (gaveDraft) {
      this.drafted.add(providerId);
      if (waiting !== undefined) this.dropped(waiting, 'provider');
    } else if (waiting !== undefined) {
      this.add(waiting);
    }
  }

  private keep(held: Candidate<P> | undefined, arrived: Candidate<P>): Candidate<P> {
    if (held === undefined) return arrived;
    const [kept, lost] = preferred(arrived, held) ? [arrived, held] : [held, arrived];
    this.dropped(lost, 'provider');
    return kept;
  }
}
