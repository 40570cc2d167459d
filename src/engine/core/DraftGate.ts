/**
 * The gate between `negotiate` and `createAgreement` in the scheduling core: drafts wait here,
 * best score first, holding their leases (so `negotiate` counters no more than `maxWorkers`), until
 * the core needs a worker from a provider that can take a pending task.
 *
 * @module
 */
import type { OfferProposal } from '../../ports/index.js';
import type { HeldDraft } from './rentals.js';

interface Entry<P extends OfferProposal> {
  readonly draft: HeldDraft<P>;
  readonly seq: number;
}

/** Drafts held, best first. */
export class DraftGate<P extends OfferProposal> {
  private readonly entries: Entry<P>[] = [];
  private seq = 0;

  /** How many drafts are held. */
  get size(): number {
    return this.entries.length;
  }

  /** Holds a draft. */
  add(draft: HeldDraft<P>): void {
    const entry = { draft, seq: this.seq++ };
    const index = this.entries.findIndex((e) => e.draft.score < draft.score);
    if (index < 0) this.entries.push(entry);
    else this.entries.splice(index, 0, entry);
  }

  /** Removes and returns the drafts whose provider `keep` refuses. */
  prune(keep: (providerId: string) => boolean): HeldDraft<P>[] {
    const dropped: HeldDraft<P>[] = [];
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i]!;
      if (!keep(entry.draft.draft.providerId)) {
        this.entries.splice(i, 1);
        dropped.unshift(entry.draft);
      }
    }
    return dropped;
  }

  /** Removes and returns the best draft whose provider is `usable`. */
  take(usable: (providerId: string) => boolean): HeldDraft<P> | undefined {
    const index = this.entries.findIndex((e) => usable(e.draft.draft.providerId));
    if (index < 0) return undefined;
    return this.entries.splice(index, 1)[0]!.draft;
  }

  /** Removes and returns every draft. */
  drain(): HeldDraft<P>[] {
    return this.entries.splice(0).map((e) => e.draft);
  }
}
