/**
 * A bounded set of recently seen keys (least recently added are forgotten first).
 *
 * Used for de-duplication with bounded memory: a source remembers the keys of the last
 * `capacity` events it delivered and drops an event whose key it still remembers.
 */
export class KeyWindow {
  private readonly keys = new Set<string>();

  /** How many keys are remembered at most (at least 1). */
  readonly capacity: number;

  /** @param capacity how many keys to remember; rounded down and raised to at least 1 */
  constructor(capacity: number) {
    this.capacity = Number.isFinite(capacity) ? Math.max(1, Math.floor(capacity)) : 1;
  }

  /** Is `key` among the remembered keys? */
  has(key: string): boolean {
    return this.keys.has(key);
  }

  /**
   * Remembers `key`, forgetting the oldest key when full.
   * @returns false when the key was already remembered (a duplicate), true when it is new
   */
  add(key: string): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.capacity) {
      const oldest = this.keys.values().next();
      if (oldest.done !== true) this.keys.delete(oldest.value);
    }
    return true;
  }

  /** How many keys are remembered now (never above `capacity`). */
  get size(): number {
    return this.keys.size;
  }
}
