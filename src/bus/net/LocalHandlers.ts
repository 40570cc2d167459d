import type { BaseEvent, EventClass } from './BaseEvent.js';
import { isPromiseLike } from '../../rx/isPromiseLike.js';

/** One local consumer of events: a `subscribe` handler, a `stream` subscriber, a `waitFor`. */
export interface HandlerEntry {
  readonly cls: EventClass;
  /** Receives an event; may return a Promise, whose rejection is reported. */
  readonly next: (event: BaseEvent) => unknown;
  /** Called when the endpoint closes (streams complete). */
  readonly complete?: () => void;
}

/** Where a consumer's failure goes, with the type tag of the event it failed on. */
export type HandlerErrorSink = (eventType: string, err: unknown) => void;

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
    for (const entry of this.entries) if (event instanceof entry.cls) return true;
    return false;
  }

  /** The distinct classes subscribed to. */
  classes(): EventClass[] {
    return [...new Set(this.entries.map((e) => e.cls))];
  }

  /**
   * Hand the event to every matching consumer; returns how many took it. A consumer's failure
   * (thrown or rejected) goes to `onError`, with the event's type tag `eventType`.
   */
  dispatch(event: BaseEvent, eventType: string, onError: HandlerErrorSink): number {
    let n = 0;
    for (const entry of this.entries) {
      if (event instanceof entry.cls) {
        n++;
        this.call(entry, event, eventType, onError);
      }
    }
    return n;
  }

  /** Hand a request to the first matching consumer only; false if there is none. */
  dispatchOne(event: BaseEvent, eventType: string, onError: HandlerErrorSink): boolean {
    for (const entry of this.entries) {
      if (event instanceof entry.cls) {
        this.call(entry, event, eventType, onError);
        return true;
      }
    }
    return false;
  }

  /** Complete every consumer and forget them all (the endpoint closed). */
  completeAll(): void {
    const entries = this.entries;
    this.entries = [];
    for (const e of entries) e.complete?.();
  }

  private call(entry: HandlerEntry, event: BaseEvent, eventType: string, onError: HandlerErrorSink): void {
    try {
      const result = entry.next(event);
      if (isPromiseLike(result)) result.then(undefined, (err: unknown) => onError(eventType, err));
    } catch (err) {
      onError(eventType, err);
    }
  }
}
