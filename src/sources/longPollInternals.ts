import { Observable } from 'rxjs';
import { CursorKeyWindow, KeyWindow } from './keyWindow.js';

/** The part of a long-poll configuration the state needs. */
export interface PollStateConfig<E, C> {
  readonly cursorOf?: (event: E) => C;
  readonly compareCursor?: (a: C, b: C) => number;
  readonly keyOf?: (event: E) => string;
  readonly dedupWindow?: number;
  readonly initialCursor?: () => C | undefined;
  readonly lookback?: (newest: C) => C;
}

/** What one batch did: how many of its events were new, and whether it was a look-back page. */
export interface Absorbed {
  readonly fresh: number;
  readonly lookedBack: boolean;
}

/**
 * What a long-poll source remembers across subscriptions: the cursor, the keys of recently
 * delivered events, the fetched events not yet delivered, and since when yagna is unreachable.
 * With `lookback`, also the horizon (events at or before it are not delivered: they were, or
 * they are older than the window) and where the look-back read of the window stands.
 * It belongs to one source object (hot), never to an operator factory.
 */
export class PollState<E, C> {
  /** Fetched and accepted, not yet delivered (the consumer left in the middle of a batch). */
  readonly queue = new PendingQueue<E>();
  /** Scheduler time of the first failure since the last answer, if yagna is down. */
  downSince: number | undefined;
  private newest: C | undefined;
  private horizon: C | undefined;
  private lookingBack = false;
  private page: C | undefined;
  private started = false;
  private readonly seen: KeyWindow | undefined;
  private readonly recent: CursorKeyWindow<C> | undefined;

  /** @throws {TypeError} when `lookback` is given without `cursorOf`, `compareCursor` and `keyOf` */
  constructor(private readonly config: PollStateConfig<E, C>) {
    const { lookback, cursorOf, compareCursor, keyOf } = config;
    if (
      lookback !== undefined &&
      (cursorOf === undefined || compareCursor === undefined || keyOf === undefined)
    ) {
      throw new TypeError('createLongPollSource: lookback needs cursorOf, compareCursor and keyOf');
    }
    this.recent =
      lookback !== undefined && compareCursor !== undefined ? new CursorKeyWindow(compareCursor) : undefined;
    this.seen =
      keyOf === undefined || this.recent !== undefined
        ? undefined
        : new KeyWindow(config.dedupWindow ?? 1024);
  }

  /** The events fetched and accepted but not delivered yet, in order (a copy). */
  get pending(): readonly E[] {
    return this.queue.toArray();
  }

  /** The cursor of the newest event taken (or the initial one); resolves `initialCursor` once. */
  get cursor(): C | undefined {
    this.start();
    return this.newest;
  }

  /** The cursor of the next request: a look-back page's start, or the newest cursor. */
  get requestCursor(): C | undefined {
    this.start();
    return this.lookingBack ? this.page : this.newest;
  }

  /** How many keys the de-duplication remembers now. */
  get rememberedKeys(): number {
    return this.recent?.size ?? this.seen?.size ?? 0;
  }

  /**
   * Takes in the batch answered to a request after `requested`: drops the events at or before
   * the horizon and those whose key was seen, queues the others in `pending`, moves the cursor
   * forward (never back when `compareCursor` is given) and, with `lookback`, plans the next
   * request.
   */
  absorb(events: readonly E[], requested: C | undefined): Absorbed {
    this.start();
    const { cursorOf, compareCursor: compare, keyOf } = this.config;
    const lookedBack = this.lookingBack;
    const horizon = this.horizon;
    const cursors: C[] = [];
    let newest = this.newest;
    let fresh = 0;
    for (const event of events) {
      let cursor: C | undefined;
      if (cursorOf !== undefined) {
        const next = cursorOf(event);
        cursor = next;
        cursors.push(next);
        if (horizon !== undefined && compare !== undefined && compare(next, horizon) <= 0) continue;
        if (newest === undefined || compare === undefined || compare(next, newest) > 0) newest = next;
      }
      if (keyOf !== undefined) {
        const key = keyOf(event);
        const added = this.recent !== undefined ? this.recent.add(key, cursor as C) : this.seen?.add(key);
        if (added === false) continue;
      }
      this.queue.push(event);
      fresh += 1;
    }
    this.newest = newest;
    if (newest !== undefined) this.plan(newest, lookedBack, cursors, requested);
    return { fresh, lookedBack };
  }

  /**
   * With `lookback`: raises the horizon to `lookback(newest)`, forgets the keys at or before it,
   * and decides the next request. After a long-poll, the window (horizon, newest] is read again;
   * a page of it is followed by the next, which starts after the page's second-newest cursor (so
   * events that share the newest cursor with a page's last are read again, not skipped); the
   * read ends, and long-polling resumes, when a page comes back empty or the next would start at
   * or after the newest cursor. Every page starts later than the one before: no loop.
   */
  private plan(newest: C, lookedBack: boolean, cursors: readonly C[], requested: C | undefined): void {
    const { lookback, compareCursor: compare } = this.config;
    if (lookback === undefined || compare === undefined) return;
    const back = lookback(newest);
    const floor = compare(back, newest) > 0 ? newest : back;
    if (this.horizon === undefined || compare(floor, this.horizon) > 0) this.horizon = floor;
    const horizon = this.horizon;
    this.recent?.forgetUpTo(horizon);

    let next: C | undefined = lookedBack ? pageAfter(cursors, requested, compare) : horizon;
    if (next !== undefined && compare(next, horizon) < 0) next = horizon;
    this.lookingBack =
      next !== undefined &&
      compare(next, newest) < 0 &&
      !(lookedBack && requested !== undefined && compare(next, requested) <= 0);
    this.page = this.lookingBack ? next : undefined;
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.newest = this.config.initialCursor?.();
    if (this.config.lookback !== undefined) this.horizon = this.newest;
  }
}

/**
 * Where the page after a look-back page starts: its second-newest cursor when that is after
 * `requested`, else its newest; `undefined` for an empty page.
 */
function pageAfter<C>(
  cursors: readonly C[],
  requested: C | undefined,
  compare: (a: C, b: C) => number,
): C | undefined {
  let top: C | undefined;
  let second: C | undefined;
  for (const cursor of cursors) {
    if (top === undefined || compare(cursor, top) > 0) {
      second = top;
      top = cursor;
    } else if (compare(cursor, top) < 0 && (second === undefined || compare(cursor, second) > 0)) {
      second = cursor;
    }
  }
  if (second !== undefined && (requested === undefined || compare(second, requested) > 0)) return second;
  return top;
}

/** The marker that ends one batch inside the `expand`: where and when to poll next. */
export class PollStep<C> {
  constructor(
    readonly cursor: C | undefined,
    readonly delayMs: number,
  ) {}
}

/**
 * A FIFO of events: `shift` is O(1) however long the queue (an array's `shift` copies the rest
 * once the array is large, which made draining a deep batch quadratic). Delivered slots are
 * cleared at once, so the queue does not keep what it handed out.
 */
export class PendingQueue<E> {
  private items: (E | undefined)[] = [];
  private head = 0;

  /** How many events wait. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** Adds an event at the end. */
  push(event: E): void {
    this.items.push(event);
  }

  /** Removes and returns the first event; `undefined` when empty. */
  shift(): E | undefined {
    if (this.head >= this.items.length) return undefined;
    const event = this.items[this.head];
    this.items[this.head] = undefined;
    this.head += 1;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return event;
  }

  /** The waiting events, in order (a copy). */
  toArray(): E[] {
    return this.items.slice(this.head) as E[];
  }
}

/**
 * Delivers `pending` one event at a time, removing each as it goes, and stops as soon as the
 * consumer leaves, so the events it did not take stay for the next subscriber.
 */
export function drain<E>(pending: PendingQueue<E>): Observable<E> {
  return new Observable<E>((subscriber) => {
    while (!subscriber.closed && pending.length > 0) {
      subscriber.next(pending.shift() as E);
    }
    subscriber.complete();
  });
}
