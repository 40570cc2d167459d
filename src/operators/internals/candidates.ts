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
import { MaxHeap, type Positioned, bestFirst, ownPositions } from './heap.js';

/** A proposal waiting for a slot, with its arrival number. */
export interface Candidate<P extends OfferProposal> extends Scored<P> {
  readonly seq: number;
}

/** Why a candidate left without being countered. */
export type DropReason = 'expired' | 'provider';

/** A candidate in the heap: it keeps its own heap position (removal without a hash lookup). */
interface Queued<P extends OfferProposal> extends Candidate<P>, Positioned {}

/** distinct: what one provider has in this subscription (one map entry, one lookup an offer). */
interface Provider<P extends OfferProposal> {
  /** Its candidate in the heap. */
  queued: Queued<P> | undefined;
  /** Being countered. */
  countering: boolean;
  /** While countered: the best of its later offers. */
  waiting: Candidate<P> | undefined;
  /** It gave a draft. */
  drafted: boolean;
}

/** Is `a` the one to keep of two offers of one provider? The higher score; the newer on a tie. */
function preferred<P extends OfferProposal>(a: Candidate<P>, b: Candidate<P>): boolean {
  return a.score > b.score || (a.score === b.score && a.seq > b.seq);
}

/** The candidates of one `negotiate` subscription. */
export class Candidates<P extends OfferProposal> {
  private readonly heap = new MaxHeap<Queued<P>>(bestFirst, ownPositions<Queued<P>>());
  /** distinct: the providers with a candidate queued, being countered, or done. */
  private readonly providers = new Map<string, Provider<P>>();

  /**
   * @param distinct one draft per provider
   * @param dropped called for each candidate that leaves without being countered
   */
  constructor(
    private readonly distinct: boolean,
    private readonly dropped: (candidate: Candidate<P>, reason: DropReason) => void,
  ) {}

  /** How many candidates wait in the heap. */
  get size(): number {
    return this.heap.size;
  }

  /** A proposal arrived. */
  add(candidate: Candidate<P>): void {
    if (!this.distinct) {
      this.heap.push(queued(candidate));
      return;
    }
    const { providerId } = candidate.proposal;
    const provider = this.providers.get(providerId);
    if (provider === undefined) {
      const entry = queued(candidate);
      this.providers.set(providerId, {
        queued: entry,
        countering: false,
        waiting: undefined,
        drafted: false,
      });
      this.heap.push(entry);
    } else if (provider.drafted) {
      this.dropped(candidate, 'provider');
    } else if (provider.countering) {
      provider.waiting = this.keep(provider.waiting, candidate);
    } else {
      const held = provider.queued;
      const kept = this.keep(held, candidate);
      if (kept === held) return;
      if (held !== undefined) this.heap.remove(held);
      const entry = queued(kept);
      this.heap.push(entry);
      provider.queued = entry;
    }
  }

  /**
   * The best candidate to counter now, its provider marked as being countered; expired ones met
   * on the way are dropped. `undefined` when none is left.
   */
  take(expired: (proposal: P) => boolean): Candidate<P> | undefined {
    for (let candidate = this.heap.pop(); candidate !== undefined; candidate = this.heap.pop()) {
      const provider = this.distinct ? this.providers.get(candidate.proposal.providerId) : undefined;
      if (provider !== undefined) provider.queued = undefined;
      if (expired(candidate.proposal)) {
        if (provider !== undefined) this.forgetIfIdle(candidate.proposal.providerId, provider);
        this.dropped(candidate, 'expired');
        continue;
      }
      if (provider !== undefined) provider.countering = true;
      return candidate;
    }
    return undefined;
  }

  /** The counter to `providerId` ended: with a draft (the provider is done), or without one. */
  settled(providerId: string, gaveDraft: boolean): void {
    if (!this.distinct) return;
    const provider = this.providers.get(providerId);
    const waiting = provider?.waiting;
    if (provider !== undefined) {
      provider.countering = false;
      provider.waiting = undefined;
    }
    if (gaveDraft) {
      if (provider === undefined)
        this.providers.set(providerId, {
          queued: undefined,
          countering: false,
          waiting: undefined,
          drafted: true,
        });
      else provider.drafted = true;
      if (waiting !== undefined) this.dropped(waiting, 'provider');
    } else if (waiting !== undefined) {
      this.add(waiting);
    } else if (provider !== undefined) {
      this.forgetIfIdle(providerId, provider);
    }
  }

  /** Drops the entry of a provider with nothing queued, countered or done (memory stays bounded). */
  private forgetIfIdle(providerId: string, provider: Provider<P>): void {
    if (
      provider.queued === undefined &&
      !provider.countering &&
      !provider.drafted &&
      provider.waiting === undefined
    )
      this.providers.delete(providerId);
  }

  private keep<C extends Candidate<P>>(held: C | undefined, arrived: Candidate<P>): C | Candidate<P> {
    if (held === undefined) return arrived;
    const [kept, lost] = preferred(arrived, held) ? [arrived, held] : [held, arrived];
    this.dropped(lost, 'provider');
    return kept;
  }
}

/** The heap entry of a candidate. */
function queued<P extends OfferProposal>(candidate: Candidate<P>): Queued<P> {
  return { proposal: candidate.proposal, score: candidate.score, seq: candidate.seq, heapIndex: -1 };
}
