/**
 * The children of a resource, in the order they were added, each with a sequence number that
 * `children$` uses as its cursor. Strong by default; a demand holds its initial proposals weakly,
 * so that a proposal nobody (the user, `negotiate`'s heap, a negotiation in flight) holds any more
 * can be collected however long the demand listens.
 *
 * @module
 */
import type { Resource } from './Resource.js';

interface Entry {
  readonly seq: number;
  /** The child, or a `WeakRef` to it in a weak list (no closure: it would capture the child). */
  readonly ref: Resource | WeakRef<Resource>;
}

function deref(entry: Entry): Resource | undefined {
  return entry.ref instanceof WeakRef ? entry.ref.deref() : entry.ref;
}

/**
 * A weak list drops its dead entries once it has grown to twice what it held after the last
 * compaction (and at least this much): amortised O(1) a child, however late the GC clears them.
 */
const COMPACT_AT_LEAST = 1_024;

/** An ordered set of children. */
export class ChildList {
  private entries: Entry[] = [];
  private nextSeq = 0;
  private compactedAt = 0;

  /** @param weak hold the children through `WeakRef`s */
  constructor(private readonly weak: boolean) {}

  /**
   * Adds `child`, which is not in any list yet (`Resource.attachTo` gives a resource one parent,
   * once); returns true. A weak list holds it by its own `weakRef`.
   */
  add(child: Resource): boolean {
    this.entries.push({ seq: this.nextSeq++, ref: this.weak ? child.weakRef : child });
    if (this.weak && this.entries.length >= Math.max(COMPACT_AT_LEAST, 2 * this.compactedAt)) this.compact();
    return true;
  }

  /** The children still alive, in order. */
  values(): Resource[] {
    const alive: Resource[] = [];
    for (const entry of this.entries) {
      const child = deref(entry);
      if (child !== undefined) alive.push(child);
    }
    return alive;
  }

  /** The first live child with a sequence number `>= from`, with that number; `undefined` if none. */
  next(from: number): { readonly seq: number; readonly child: Resource } | undefined {
    const entries = this.entries;
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (entries[mid]!.seq < from) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < entries.length; i++) {
      const child = deref(entries[i]!);
      if (child !== undefined) return { seq: entries[i]!.seq, child };
    }
    return undefined;
  }

  /** The sequence number the next child will get. */
  get end(): number {
    return this.nextSeq;
  }

  private compact(): void {
    this.entries = this.entries.filter((entry) => deref(entry) !== undefined);
    this.compactedAt = this.entries.length;
  }
}
