import { Observable } from 'rxjs';
import { KeyWindow } from './keyWindow.js';

/** The part of a long-poll configuration the state needs. */
export interface PollStateConfig<E, C> {
  readonly cursorOf?: (event: E) => C;
  readonly compareCursor?: (a: C, b: C) => number;
  readonly keyOf?: (event: E) => string;
  readonly dedupWindow?: number;
  readonly initialCursor?: () => C | undefined;
}

/**
 * What a long-poll source remembers across subscriptions: the cursor, the keys of recently
 * delivered events, the fetched events not yet delivered, and since when yagna is unreachable.
 * It belongs to one source object (hot), never to an operator factory.
 */
export class PollState<E, C> {
  /** Fetched and accepted, not yet delivered (the consumer left in the middle of a batch). */
  readonly pending: E[] = [];
  /** Scheduler time of the first failure since the last answer, if yagna is down. */
  downSince: number | undefined;
  private current: C | undefined;
  private started = false;
  private readonly seen: KeyWindow | undefined;

  constructor(private readonly config: PollStateConfig<E, C>) {
    this.seen = config.keyOf === undefined ? undefined : new KeyWindow(config.dedupWindow ?? 1024);
  }

  /** The cursor of the next request; resolves `initialCursor` once, at the first poll. */
  get cursor(): C | undefined {
    if (!this.started) {
      this.started = true;
      this.current = this.config.initialCursor?.();
    }
    return this.current;
  }

  /**
   * Takes in one batch: drops the events whose key was seen, queues the others in `pending`
   * and moves the cursor forward (never back when `compareCursor` is given).
   * @returns how many events were new
   */
  absorb(events: readonly E[]): number {
    const { cursorOf, compareCursor, keyOf } = this.config;
    let cursor = this.cursor;
    let fresh = 0;
    for (const event of events) {
      if (cursorOf !== undefined) {
        const next = cursorOf(event);
        if (cursor === undefined || compareCursor === undefined || compareCursor(next, cursor) > 0)
          cursor = next;
      }
      if (this.seen !== undefined && keyOf !== undefined && !this.seen.add(keyOf(event))) continue;
      this.pending.push(event);
      fresh += 1;
    }
    this.current = cursor;
    return fresh;
  }
}

/** The marker that ends one batch inside the `expand`: where and when to poll next. */
export class PollStep<C> {
  constructor(
    readonly cursor: C | undefined,
    readonly delayMs: number,
  ) {}
}

/**
 * Delivers `pending` one event at a time, removing each as it goes, and stops as soon as the
 * consumer leaves, so the events it did not take stay for the next subscriber.
 */
export function drain<E>(pending: E[]): Observable<E> {
  return new Observable<E>((subscriber) => {
    while (!subscriber.closed && pending.length > 0) {
      subscriber.next(pending.shift() as E);
    }
    subscriber.complete();
  });
}
