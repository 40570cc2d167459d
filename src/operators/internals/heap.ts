/**
 * A binary max-heap ordered by a comparator: `compare(a, b) > 0` means `a` comes out first.
 * Push and pop are O(log n). Not stable by itself: callers that need FIFO among
 * equals put an arrival sequence number into the comparison.
 *
 * @internal
 */
export class MaxHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly compare: (a: T, b: T) => number) {}

  /** How many items the heap holds. */
  get size(): number {
    return this.items.length;
  }

  /** Adds an item. */
  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.compare(items[i]!, items[parent]!) <= 0) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes and returns the first item, or `undefined` when empty. */
  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private siftDown(start: number): void {
    const items = this.items;
    const n = items.length;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let best = i;
      if (left < n && this.compare(items[left]!, items[best]!) > 0) best = left;
      if (right < n && this.compare(items[right]!, items[best]!) > 0) best = right;
      if (best === i) return;
      this.swap(i, best);
      i = best;
    }
  }

  private swap(a: number, b: number): void {
    const items = this.items;
    const tmp = items[a]!;
    items[a] = items[b]!;
    items[b] = tmp;
  }
}

/** An item ranked by its score, with its arrival number to keep FIFO order among equal scores. */
export interface Ranked {
  readonly score: number;
  readonly seq: number;
}

/**
 * The {@link MaxHeap} comparator of scored items: the higher score first and, among equal
 * scores, the earlier arrival (lower `seq`).
 */
export function bestFirst(a: Ranked, b: Ranked): number {
  return a.score - b.score || b.seq - a.seq;
}
