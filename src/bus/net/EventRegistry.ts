import { Subject, type Observable } from 'rxjs';
import type { BaseEvent, EventClass } from './BaseEvent.js';
import { BusConfigError } from './errors/BusConfigError.js';
import { Payload } from './Payload.js';

/** A concrete event class: one that can be constructed, hence registered. */
export type ConcreteEventClass<E extends BaseEvent = BaseEvent> = new (...args: never[]) => E;

/** Rebuilds an event from its received payload; throws (e.g. through `Payload`) to drop it. */
export type EventDecoder<E extends BaseEvent> = (payload: Payload) => E;

/**
 * Produces the payload of an event; by default the event itself, i.e. its own enumerable
 * properties as JSON, byte arrays (`Uint8Array`, `Buffer`) carried raw.
 */
export type EventEncoder<E extends BaseEvent> = (event: E) => unknown;

/** One registered event class. */
export interface EventRegistration<E extends BaseEvent = BaseEvent> {
  readonly type: string;
  readonly cls: ConcreteEventClass<E>;
  readonly decode: EventDecoder<E>;
  readonly encode: EventEncoder<E> | undefined;
}

/** Wire type tags: a letter or digit, then letters, digits and `._:/-`, at most 200 characters. */
export const EVENT_TYPE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/;

/**
 * The table of event classes the bus may send and receive, each under a string type tag. Only a
 * registered tag is ever decoded, by its own decoder: nothing from the wire chooses code to run.
 * Endpoints use {@link defaultEventRegistry} unless given one.
 */
export class EventRegistry {
  private readonly byType = new Map<string, EventRegistration>();
  private readonly byClass = new Map<EventClass, EventRegistration>();
  private readonly assignable = new Map<EventClass, readonly string[]>();
  private readonly changed = new Subject<void>();

  /** Emits after each registration (endpoints re-advertise their subscriptions). */
  readonly changes$: Observable<void> = this.changed.asObservable();

  /**
   * Register `cls` under `type`. Throws `BusConfigError` for an invalid or taken tag, or a class
   * registered twice. Register the same classes under the same tags in every process.
   */
  register<E extends BaseEvent>(
    type: string,
    cls: ConcreteEventClass<E>,
    decode: EventDecoder<E>,
    encode?: EventEncoder<E>,
  ): this {
    if (!EVENT_TYPE_PATTERN.test(type)) {
      throw new BusConfigError({ setting: 'event type' }, `Invalid event type tag ${JSON.stringify(type)}`);
    }
    if (this.byType.has(type)) {
      throw new BusConfigError({ setting: 'event type' }, `Event type ${type} is already registered`);
    }
    if (this.byClass.has(cls)) {
      throw new BusConfigError({ setting: 'event type' }, `Class ${cls.name} is already registered`);
    }
    const registration: EventRegistration<E> = { type, cls, decode, encode };
    this.byType.set(type, registration as unknown as EventRegistration);
    this.byClass.set(cls, registration as unknown as EventRegistration);
    this.assignable.clear();
    this.changed.next();
    return this;
  }

  /** The tag of exactly this class, if registered. */
  typeOf(cls: EventClass): string | undefined {
    return this.byClass.get(cls)?.type;
  }

  /** The registration of a tag, if any. */
  lookup(type: string): EventRegistration | undefined {
    return this.byType.get(type);
  }

  /** The registration of exactly this class, if any. */
  lookupClass(cls: EventClass): EventRegistration | undefined {
    return this.byClass.get(cls);
  }

  /**
   * Every registered tag whose class is `cls` or extends it: what a subscriber of `cls` can
   * receive, and so what an endpoint advertises for it. `cls` itself may be unregistered
   * (an abstract base).
   */
  typesAssignableTo(cls: EventClass): readonly string[] {
    let types = this.assignable.get(cls);
    if (types === undefined) {
      types = [...this.byType.values()]
        .filter((r) => r.cls === cls || r.cls.prototype instanceof cls)
        .map((r) => r.type);
      this.assignable.set(cls, types);
    }
    return types;
  }

  /** Rebuild an event from a received payload (and its binary attachments) with its registered decoder. */
  decode(
    registration: EventRegistration,
    payload: unknown,
    attachments: readonly Uint8Array[] = [],
  ): BaseEvent {
    return registration.decode(Payload.from(payload, 'payload', attachments));
  }
}

/** The registry endpoints use unless given another. */
export const defaultEventRegistry = new EventRegistry();

/**
 * Register an event class in {@link defaultEventRegistry}: see {@link EventRegistry.register}.
 *
 * @example
 * ```ts
 * class Ping extends BaseEvent { constructor(readonly n: number) { super(); } }
 * registerEvent('example.Ping', Ping, (p) => new Ping(p.integer('n')));
 * ```
 */
export function registerEvent<E extends BaseEvent>(
  type: string,
  cls: ConcreteEventClass<E>,
  decode: EventDecoder<E>,
  encode?: EventEncoder<E>,
): void {
  defaultEventRegistry.register(type, cls, decode, encode);
}
