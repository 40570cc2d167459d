import type { PromiseRecord, PromiseStoreSnapshot, StoredPromise } from './PromiseStore.js';

/**
 * The state a store folds its records into (module-internal, shared by the stores).
 * Replays are idempotent and first-completion-wins, like the registry itself.
 */
export class PromiseTable {
  private readonly entries = new Map<number, Uint8Array | undefined>();
  private next = 0;

  /** The next index to hand out. */
  get nextOplogIdx(): number {
    return this.next;
  }

  /** Applies one record; returns false when it changed nothing (a duplicate or a superseded record). */
  apply(record: PromiseRecord): boolean {
    const { oplogIdx } = record;
    switch (record.type) {
      case 'created':
        this.advance(oplogIdx + 1);
        if (this.entries.has(oplogIdx)) return false;
        this.entries.set(oplogIdx, undefined);
        return true;
      case 'completed':
        if (!this.entries.has(oplogIdx) || this.entries.get(oplogIdx) !== undefined) return false;
        this.entries.set(oplogIdx, new Uint8Array(record.data));
        return true;
      case 'deleted':
        return this.entries.delete(oplogIdx);
    }
  }

  /** Makes sure no index below `nextOplogIdx` is handed out again. */
  advance(nextOplogIdx: number): void {
    this.next = Math.max(this.next, nextOplogIdx);
  }

  /** A copy of the state. */
  snapshot(): PromiseStoreSnapshot {
    const promises: StoredPromise[] = [];
    for (const [oplogIdx, data] of [...this.entries].sort(([a], [b]) => a - b)) {
      promises.push(data === undefined ? { oplogIdx } : { oplogIdx, data: new Uint8Array(data) });
    }
    return { nextOplogIdx: this.next, promises };
  }

  /** The fewest records that rebuild the live promises (the index counter is not among them). */
  compactRecords(): PromiseRecord[] {
    return this.snapshot().promises.flatMap((p): PromiseRecord[] =>
      p.data === undefined
        ? [{ type: 'created', oplogIdx: p.oplogIdx }]
        : [
            { type: 'created', oplogIdx: p.oplogIdx },
            { type: 'completed', oplogIdx: p.oplogIdx, data: p.data },
          ],
    );
  }
}
