import type { BaseEvent, EventClass } from './BaseEvent.js';

/** One local consumer of events: a `subscribe` handler, a `stream` subscriber, a `waitFor`. */
export interface HandlerEntry {
  readonly cls: EventClass;
  /** Receives an event; may return a Promise, whose rejection is reported. */
  readonly next: (event: BaseEvent) => unknown;
  /** Called when the endpoint closes (streams complete). */
  readonly complete?: () => void;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * The local consumers of an endpoint, in subscription order. An event reaches every entry whose
 * class it is an instance of, so subscribers of a base class receive its subclasses. The array
 * is replaced, never mutated, so dispatch is safe against (un)subscribing handlers.
 */
export class LocalHandlers {
  private entries: readonly HandlerEntry[] = [];

  /** Add a consumer; the returned function removes it (idempotent). */
  add(entry: HandlerEntry): () => void {
    this.entries = [...this.entries, entry];
    return () => {
      this.entries = this.entries.filter((e) => e !== entry);
    };
  }

  /** Does any consumer take this event? */
  accepts(event: BaseEvent): boolean {
    return this.entries.some((e) => event instanceof e.cls);
  }

  /** The distinct classes subscribed to. */
  classes(): EventClass[] {
    return [...new Set(this.entries.map((e) => e.cls))];
  }

  /** Hand the event to every matching consumer; returns how many took it. */
  dispatch(event: BaseEvent, onError: (err: unknown) => void): number {
    let n = 0;
    for (const entry of this.entries) {
      if (event instanceof entry.cls) {
        n++;
        this.call(entry, event, onError);
      }
    }
    return n;
  }

  /** Hand a request to the first matching consumer only; false if there is none. */
  dispatchOne(event: BaseEvent, onError: (err: unknown) => void): boolean {
    const entry = this.entries.find((e) => event instanceof e.cls);
    if (entry === undefined) return false;
    this.call(entry, event, onError);
    return true;
  }

  /** Complete every consumer and forget them all (the endpoint closed). */
  completeAll(): void {
    const entries = this.entries;
    this.entries = [];
    for (const e of entries) e.complete?.();
  }

  private call(entry: HandlerEntry, event: BaseEvent, onError: (err: unknown) => void): void {
    try {
      const result = entry.next(event);
      if (isPromiseLike(result)) result.then(undefined, onError);
    } catch (err) {
      onError(err);
    }
  }
}
