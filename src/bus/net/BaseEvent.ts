import { BroadcastConfig } from './BroadcastConfig.js';

/** Where an event came from: set when it is broadcast or received, never sent on the wire. */
interface Binding {
  readonly origin: string;
  readonly requestId: string | undefined;
}

/** Bindings of events made without BaseEvent's constructor (`Object.create`): kept aside. */
const unconstructed = new WeakMap<BaseEvent, Binding>();

/** An event's binding: a private field (cheaper than a WeakMap entry per event, for the GC too). */
let bindings!: {
  get(event: BaseEvent): Binding | undefined;
  set(event: BaseEvent, binding: Binding): void;
};

/**
 * The base class of every bus event. An event is plain data: its own enumerable properties are
 * its wire payload (JSON), and a registered decoder rebuilds it on the other side (see
 * `registerEvent`). Subscribers of a class also receive events of its subclasses.
 *
 * @example
 * ```ts
 * class Ping extends BaseEvent {
 *   constructor(readonly n: number) { super(); }
 * }
 * registerEvent('example.Ping', Ping, (p) => new Ping(p.number('n')));
 * ```
 */
export abstract class BaseEvent {
  /** Where the event came from (see {@link bindEvent}): private, so never part of its payload. */
  #binding: Binding | undefined = undefined;

  static {
    bindings = {
      get: (event) => (#binding in event ? event.#binding : unconstructed.get(event)),
      set: (event, binding) => {
        if (#binding in event) event.#binding = binding;
        else unconstructed.set(event, binding);
      },
    };
  }

  /** The endpoint that broadcast this event; `undefined` until it was broadcast or received. */
  get origin(): string | undefined {
    return bindings.get(this)?.origin;
  }

  /** The request id, when this event was sent with `Endpoint.request`. */
  get requestId(): string | undefined {
    return bindings.get(this)?.requestId;
  }

  /**
   * The config that routes a reply to this event back to where it came from: to its origin
   * endpoint, tagged with its request id. With `internal`, the reply stays in this endpoint.
   */
  broadcastConfig(options: { readonly internal?: boolean } = {}): BroadcastConfig {
    const binding = bindings.get(this);
    if (options.internal === true) {
      return new BroadcastConfig({ internal: true, filterEventId: binding?.requestId });
    }
    return new BroadcastConfig({ filterEndpoint: binding?.origin, filterEventId: binding?.requestId });
  }
}

/**
 * A request: an event answered by exactly one responder with an event of
 * `expectedResponseType()`, sent back with `endpoint.broadcast(response, request.broadcastConfig())`.
 *
 * @example
 * ```ts
 * class GetPrice extends BaseRequestResponseEvent<Price> {
 *   constructor(readonly item: string) { super(); }
 *   expectedResponseType() { return Price; }
 * }
 * ```
 */
export abstract class BaseRequestResponseEvent<TResponse extends BaseEvent> extends BaseEvent {
  /** The class a response must be an instance of; anything else rejects the request. */
  abstract expectedResponseType(): EventClass<TResponse>;
}

/** A (possibly abstract) event class, as accepted by `subscribe`, `stream` and the queries. */
export type EventClass<E extends BaseEvent = BaseEvent> = abstract new (...args: never[]) => E;

/** Record where an event comes from. Internal to the bus: endpoints bind on send and receipt. */
export function bindEvent(event: BaseEvent, origin: string, requestId: string | undefined): void {
  bindings.set(event, { origin, requestId });
}
