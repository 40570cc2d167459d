/**
 * A binary max-heap ordered by a comparator: `compare(a, b) > 0` means `a` comes out first.
 * Push and pop are O(log n). Not stable by itself: callers that need FIFO among
 * equals put an arrival sequence number into the comparison.
 *
 * @internal
 */
export class MaxHeap<T> {
  private readonly items: T[] = [];
  /** Where each item is, when removal is wanted (`trackPositions`). */
  private readonly positions: HeapPositions<T> | undefined;

  /**
   * @param compare `compare(a, b) > 0`: `a` comes out first
   * @param trackPositions keep each item's position, so that {@link remove} is O(log n): `true`
   *   for a `Map` beside the heap, or where the items keep it themselves (see {@link ownPositions})
   */
  constructor(
    private readonly compare: (a: T, b: T) => number,
    trackPositions: boolean | HeapPositions<T> = false,
  ) {
    this.positions =
      trackPositions === false ? undefined : trackPositions === true ? new Map<T, number>() : trackPositions;
  }

  /** How many items the heap holds. */
  get size(): number {
    return this.items.length;
  }

  /** Adds an item. */
  push(item: T): void {
    const items = this.items;
    items.push(item);
    this.positions?.set(item, items.length - 1);
    this.siftUp(items.length - 1);
  }

  /** Removes and returns the first item, or `undefined` when empty. */
  pop(): T | undefined {
    const top = this.items[0];
    if (top !== undefined) this.removeAt(0);
    return top;
  }

  /**
   * Removes `item` (needs `trackPositions`); returns whether it was there.
   * @throws {Error} when positions are not tracked
   */
  remove(item: T): boolean {
    if (this.positions === undefined) throw new Error('MaxHeap: remove() needs trackPositions');
    const at = this.positions.get(item);
    if (at === undefined) return false;
    this.removeAt(at);
    return true;
  }

  private removeAt(at: number): void {
    const items = this.items;
    const removed = items[at]!;
    const last = items.pop()!;
    this.positions?.delete(removed);
    if (at === items.length) return;
    items[at] = last;
    this.positions?.set(last, at);
    this.siftDown(at);
    this.siftUp(at);
  }

  private siftUp(start: number): void {
    const items = this.items;
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.compare(items[i]!, items[parent]!) <= 0) break;
      this.swap(i, parent);
      i = parent;
    }
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
    this.positions?.set(items[a], a);
    this.positions?.set(tmp, b);
  }
}

/** Where a {@link MaxHeap} keeps its items' positions (a `Map` is one). */
export interface HeapPositions<T> {
  get(item: T): number | undefined;
  set(item: T, position: number): unknown;
  delete(item: T): unknown;
}

/** An item that keeps its own heap position (-1 when not in the heap). */
export interface Positioned {
  heapIndex: number;
}

/**
 * Positions kept in the items themselves: no hash lookups on every move of a large heap.
 * An item is in at most one such heap at a time.
 */
export function ownPositions<T extends Positioned>(): HeapPositions<T> {
  return {
    get: (item) => (item.heapIndex < 0 ? undefined : item.heapIndex),
    set: (item, position) => (item.heapIndex = position),
    delete: (item) => (item.heapIndex = -1),
  };
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
