/**
 * A bounded set of recently seen keys (least recently added are forgotten first).
 *
 * Used for de-duplication with bounded memory: a source remembers the keys of the last
 * `capacity` events it delivered and drops an event whose key it still remembers.
 */
export class KeyWindow {
  private readonly keys = new Set<string>();
  /** The remembered keys in the order they were added, as a ring: the oldest is at `next`. */
  private readonly ring: (string | undefined)[];
  private next = 0;

  /** How many keys are remembered at most (at least 1). */
  readonly capacity: number;

  /** @param capacity how many keys to remember; rounded down and raised to at least 1 */
  constructor(capacity: number) {
    this.capacity = Number.isFinite(capacity) ? Math.max(1, Math.floor(capacity)) : 1;
    this.ring = new Array<string | undefined>(Math.min(this.capacity, 1024));
  }

  /** Is `key` among the remembered keys? */
  has(key: string): boolean {
    return this.keys.has(key);
  }

  /**
   * Remembers `key`, forgetting the oldest key when full (found in the ring: no walk over a set
   * that deletions have left holes in).
   * @returns false when the key was already remembered (a duplicate), true when it is new
   */
  add(key: string): boolean {
    if (this.keys.has(key)) return false;
    if (this.keys.size >= this.capacity) {
      const oldest = this.ring[this.next];
      if (oldest !== undefined) this.keys.delete(oldest);
    }
    this.keys.add(key);
    if (this.next >= this.ring.length) this.ring.push(key);
    else this.ring[this.next] = key;
    this.next = this.next + 1 >= this.capacity ? 0 : this.next + 1;
    return true;
  }

  /** How many keys are remembered now (never above `capacity`). */
  get size(): number {
    return this.keys.size;
  }
}

/**
 * The keys of recently delivered events, each remembered with its event's cursor until the
 * cursor falls to or below a horizon (`forgetUpTo`), however many they are.
 *
 * Used for de-duplication when a source re-reads a window of its log (`lookback`): every event
 * that can still be returned again lies above the horizon, so its key is never forgotten, and
 * memory stays bounded by the number of events in the window.
 *
 * @typeParam C - the cursor (persistent logs: an RFC 3339 `eventDate`)
 */
export class CursorKeyWindow<C> {
  private readonly keys = new Map<string, C>();

  /** @param compare orders two cursors (negative, 0, positive) */
  constructor(private readonly compare: (a: C, b: C) => number) {}

  /** Is `key` among the remembered keys? */
  has(key: string): boolean {
    return this.keys.has(key);
  }

  /**
   * Remembers `key` with the cursor of its event.
   * @returns false when the key was already remembered (a duplicate), true when it is new
   */
  add(key: string, cursor: C): boolean {
    if (this.keys.has(key)) return false;
    this.keys.set(key, cursor);
    return true;
  }

  /** Forgets the keys whose cursor is at or before `horizon`. */
  forgetUpTo(horizon: C): void {
    for (const [key, cursor] of this.keys) {
      if (this.compare(cursor, horizon) <= 0) this.keys.delete(key);
    }
  }

  /** How many keys are remembered now. */
  get size(): number {
    return this.keys.size;
  }
}
