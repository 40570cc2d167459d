import { Observable, Subscription, firstValueFrom, take, throwIfEmpty, type SchedulerLike } from 'rxjs';
import { bindEvent, type BaseEvent, type BaseRequestResponseEvent, type EventClass } from './BaseEvent.js';
import { BroadcastConfig } from './BroadcastConfig.js';
import { EndpointState, type PeerLink, type WaitOptions } from './EndpointState.js';
import { BroadcastOverflowError } from './errors/BroadcastOverflowError.js';
import { BusConfigError } from './errors/BusConfigError.js';
import { FrameError } from './errors/FrameError.js';
import { NoSubscribersError } from './errors/NoSubscribersError.js';
import { SubscriberError } from './errors/SubscriberError.js';
import { LocalHandlers } from './LocalHandlers.js';
import type { ResolvedOptions } from './options.js';
import { PendingRequests } from './PendingRequests.js';
import { encodeEventFrame, type EncodedFrame } from './wire/codec.js';
import type { EventFrame } from './wire/frames.js';

/** Options of `Endpoint.stream`. */
export interface StreamOptions {
  /** Complete after this many events. */
  readonly numEvents?: number;
}

/** Options of `Endpoint.request`. */
export interface RequestOptions {
  /** Reject with `RequestTimeoutError` after this many ms. @default the endpoint's `requestTimeout` */
  readonly timeout?: number;
  /** Choose the responder: `filterEndpoint` targets one endpoint, `internal` this one. */
  readonly config?: BroadcastConfig;
  /** Runs the timeout. @default the endpoint's scheduler */
  readonly scheduler?: SchedulerLike;
}

const DEFAULT_CONFIG = new BroadcastConfig();

/** Where one broadcast goes. */
interface Plan {
  readonly eventType: string;
  /** Deliver to this endpoint's handlers (or its pending request, for a response). */
  readonly local: boolean;
  readonly peers: readonly PeerLink[];
  /** Encoded once, written as is to every peer. */
  readonly frame: EncodedFrame | undefined;
}

function eventName(event: BaseEvent): string {
  return event.constructor.name;
}

/**
 * Broadcast, subscribe, stream and request: routing by `BroadcastConfig` and by the
 * subscriptions peers advertise, local dispatch, and the subscription set this endpoint
 * advertises (re-sent whenever it changes, acknowledged by every peer).
 */
export abstract class EndpointMessaging extends EndpointState {
  protected readonly handlers = new LocalHandlers();
  protected readonly pending: PendingRequests;
  /** Every connection not yet closed, handshaking ones included. */
  protected readonly livePeers = new Set<PeerLink>();
  private subsSeq = 0;
  private advertised: readonly string[] = [];
  private requestCounter = 0;

  protected constructor(name: string, options: ResolvedOptions) {
    super(name, options);
    this.pending = new PendingRequests(options.scheduler);
  }

  /**
   * Call `handler` with every event of `cls` (subclasses included) that reaches this endpoint.
   * The handler is active at once; the Promise resolves once every connected peer has
   * acknowledged the new subscription, so a peer's next broadcast is certain to arrive.
   * A handler that throws or rejects is reported as `SubscriberError` on `errors$`.
   */
  async subscribe<E extends BaseEvent>(
    cls: EventClass<E>,
    handler: (event: E) => unknown,
  ): Promise<Subscription> {
    this.assertRunning('subscribe');
    const remove = this.handlers.add({ cls, next: (event) => handler(event as E) });
    const subscription = new Subscription(() => {
      remove();
      this.refreshSubscriptions();
    });
    await this.acknowledged(this.refreshSubscriptions());
    return subscription;
  }

  /**
   * The events of `cls` (subclasses included) reaching this endpoint, while subscribed. Cold:
   * each subscription registers (and advertises) its own consumer. Completes after
   * `numEvents`, or when the endpoint closes; errors with `EndpointClosedError` if it is not running.
   */
  stream<E extends BaseEvent>(cls: EventClass<E>, options: StreamOptions = {}): Observable<E> {
    const events$ = new Observable<E>((subscriber) => {
      if (this.lifecycle !== 'running') {
        subscriber.error(this.notRunning('stream'));
        return undefined;
      }
      const remove = this.handlers.add({
        cls,
        next: (event) => subscriber.next(event as E),
        complete: () => subscriber.complete(),
      });
      this.refreshSubscriptions();
      return () => {
        remove();
        this.refreshSubscriptions();
      };
    });
    return options.numEvents === undefined ? events$ : events$.pipe(take(options.numEvents));
  }

  /** The next event of `cls`; rejects with `BusTimeoutError` after `timeout`, `EndpointClosedError` on close. */
  waitFor<E extends BaseEvent>(cls: EventClass<E>, options?: WaitOptions): Promise<E> {
    const operation = `waitFor(${cls.name})`;
    return firstValueFrom(
      this.stream(cls, { numEvents: 1 }).pipe(
        throwIfEmpty(() => this.notRunning(operation)),
        this.timeoutAfter<E>(operation, options),
      ),
    );
  }

  /**
   * Send an event to every endpoint the config allows that subscribes to it, this one included.
   * Resolves once each remote target took the frame: at once while its backlog is under
   * `peerHighWaterMark`, else when its socket drains (backpressure, per peer). Rejects with
   * `NoSubscribersError` (when `requireSubscriber`), `UnregisteredEventError`, `FrameError`.
   */
  async broadcast(event: BaseEvent, config?: BroadcastConfig): Promise<void> {
    const plan = this.plan(event, config, 'broadcast');
    this.deliverLocally(event, plan, config);
    let waits: Promise<void>[] | undefined;
    for (const peer of plan.peers) {
      const wait = peer.send(plan.frame!);
      if (wait !== undefined) (waits ??= []).push(wait);
    }
    if (waits !== undefined) await Promise.all(waits);
  }

  /**
   * `broadcast` without waiting. Frames wait in a bounded queue per peer; when one is full
   * the endpoint's overflow policy applies: `drop-newest`/`drop-oldest` drop a frame and report a
   * `BroadcastOverflowError` on `errors$`; `error` throws it and sends nothing anywhere.
   */
  broadcastNowait(event: BaseEvent, config?: BroadcastConfig): void {
    const plan = this.plan(event, config, 'broadcastNowait');
    const { overflow, maxFrames } = this.options.nowaitQueue;
    if (overflow === 'error') {
      const full = plan.peers.find((p) => p.wouldOverflow(plan.frame!.bytes));
      if (full !== undefined) {
        throw new BroadcastOverflowError({
          peer: full.name,
          eventType: plan.eventType,
          policy: overflow,
          limit: maxFrames,
        });
      }
    }
    this.deliverLocally(event, plan, config);
    for (const peer of plan.peers) {
      if (peer.sendNowait(plan.frame!) !== 'queued') {
        this.reportError(
          new BroadcastOverflowError({
            peer: peer.name,
            eventType: plan.eventType,
            policy: overflow,
            limit: maxFrames,
          }),
        );
      }
    }
  }

  /**
   * Send a request to exactly one responder, and resolve with its response. The responder is
   * the config's target (`filterEndpoint`, or this endpoint for `internal`), else the first
   * subscriber: this endpoint's own, then connected endpoints in connection order. Within that
   * endpoint only its first matching handler receives it. Rejects with `NoSubscribersError`,
   * `RequestTimeoutError`, `RemoteDisconnectedError` (the responder left),
   * `UnexpectedResponseError`, `EndpointClosedError`.
   */
  async request<R extends BaseEvent>(
    req: BaseRequestResponseEvent<R>,
    options: RequestOptions = {},
  ): Promise<R> {
    this.assertRunning('request');
    const config = options.config ?? DEFAULT_CONFIG;
    if (config.filterEventId !== undefined) {
      throw new BusConfigError(
        { setting: 'BroadcastConfig.filterEventId' },
        'A request cannot carry filterEventId',
      );
    }
    const responder = this.chooseResponder(req, config);
    const id = `${this.name}:${++this.requestCounter}`;
    const eventType =
      responder === 'local'
        ? (this.options.registry.typeOf(req.constructor as EventClass) ?? eventName(req))
        : this.typeOfEvent(req);
    const frame = responder === 'local' ? undefined : this.encodeEvent(req, eventType, { req: id });
    bindEvent(req, this.name, id);
    const response = this.pending.add(
      id,
      req,
      eventType,
      responder === 'local' ? this.name : responder.name,
      options.timeout ?? this.options.requestTimeout,
      options.scheduler,
    );
    if (responder === 'local') {
      if (!this.handlers.dispatchOne(req, eventType, this.handlerFailed)) {
        this.pending.fail(id, new NoSubscribersError({ eventType, target: this.name }));
      }
    } else {
      // The Promise only signals backpressure (it never rejects); the caller waits on `response`.
      void responder.send(frame!);
    }
    return response;
  }

  /** Our advertised subscription set with its sequence number (for a peer's `hello`). */
  protected currentSubscriptions(): { readonly seq: number; readonly subs: readonly string[] } {
    return { seq: this.subsSeq, subs: this.advertised };
  }

  /**
   * Recompute the advertised event types; if they changed, publish them and send them to every
   * live peer under a new sequence number. Returns the sequence number now in force.
   */
  protected refreshSubscriptions(): number {
    if (this.lifecycle !== 'running') return this.subsSeq;
    const types = [
      ...new Set(this.handlers.classes().flatMap((c) => this.options.registry.typesAssignableTo(c))),
    ].sort();
    if (types.length === this.advertised.length && types.every((t, i) => t === this.advertised[i]))
      return this.subsSeq;
    this.advertised = types;
    this.subsSeq++;
    this.publishLocal(new Set(types));
    for (const peer of this.livePeers) peer.sendSubscriptions(this.subsSeq, types);
    return this.subsSeq;
  }

  /** An event frame from a peer: decode it, then route it to a pending request or the handlers. */
  protected receive(peer: PeerLink, frame: EventFrame): void {
    const event = this.decodeEvent(peer, frame);
    if (event === undefined) {
      if (frame.req !== undefined) peer.sendFrame({ k: 'nores', re: frame.req });
      return;
    }
    if (frame.re !== undefined) {
      // a response: only the request waiting for this very peer takes it; a late one is dropped
      this.pending.respond(frame.re, peer.name, event);
      return;
    }
    bindEvent(event, peer.name, frame.req);
    if (frame.req === undefined) this.handlers.dispatch(event, frame.t, this.handlerFailed);
    else if (!this.handlers.dispatchOne(event, frame.t, this.handlerFailed)) {
      peer.sendFrame({ k: 'nores', re: frame.req });
    }
  }

  private acknowledged(seq: number): Promise<void> {
    return Promise.all([...this.livePeers].map((p) => p.waitForAck(seq))).then(() => undefined);
  }

  private plan(event: BaseEvent, config: BroadcastConfig = DEFAULT_CONFIG, operation: string): Plan {
    this.assertRunning(operation);
    const id = config.filterEventId;
    const localAllowed = config.internal || config.allowedToReceive(this.name);
    const remoteAllowed = !config.internal && config.filterEndpoint !== this.name;
    let eventType = this.options.registry.typeOf(event.constructor as EventClass) ?? eventName(event);
    const peers: PeerLink[] = [];
    if (remoteAllowed) {
      eventType = this.typeOfEvent(event);
      // a response (filterEventId) goes to its target whether or not it subscribes to the type
      if (config.filterEndpoint !== undefined) {
        const target = this.peers.get(config.filterEndpoint);
        if (target !== undefined && (id !== undefined || target.remoteTypes.has(eventType)))
          peers.push(target);
      } else {
        for (const peer of this.peers.values()) {
          if (id !== undefined || peer.remoteTypes.has(eventType)) peers.push(peer);
        }
      }
    }
    const local =
      localAllowed && (id === undefined ? this.handlers.accepts(event) : this.pending.awaits(id, this.name));
    if (config.requireSubscriber && !local && peers.length === 0) {
      throw new NoSubscribersError({
        eventType,
        ...(config.filterEndpoint === undefined ? {} : { target: config.filterEndpoint }),
      });
    }
    const frame =
      peers.length === 0 ? undefined : this.encodeEvent(event, eventType, id === undefined ? {} : { re: id });
    return { eventType, local, peers, frame };
  }

  private deliverLocally(event: BaseEvent, plan: Plan, config: BroadcastConfig | undefined): void {
    bindEvent(event, this.name, undefined);
    if (!plan.local) return;
    const id = config?.filterEventId;
    if (id !== undefined) this.pending.respond(id, this.name, event);
    else this.handlers.dispatch(event, plan.eventType, this.handlerFailed);
  }

  private chooseResponder(req: BaseEvent, config: BroadcastConfig): 'local' | PeerLink {
    if (config.internal || config.filterEndpoint === this.name) {
      if (this.handlers.accepts(req)) return 'local';
      throw new NoSubscribersError({ eventType: eventName(req), target: this.name });
    }
    const eventType = this.typeOfEvent(req);
    if (config.filterEndpoint !== undefined) {
      const peer = this.peers.get(config.filterEndpoint);
      if (peer?.remoteTypes.has(eventType) === true) return peer;
      throw new NoSubscribersError({ eventType, target: config.filterEndpoint });
    }
    if (this.handlers.accepts(req)) return 'local';
    for (const peer of this.peers.values()) if (peer.remoteTypes.has(eventType)) return peer;
    throw new NoSubscribersError({ eventType });
  }

  private encodeEvent(
    event: BaseEvent,
    eventType: string,
    ids: { readonly req?: string; readonly re?: string },
  ): EncodedFrame {
    const registration = this.options.registry.lookup(eventType)!;
    const payload: unknown = registration.encode === undefined ? event : registration.encode(event);
    return encodeEventFrame(eventType, payload, ids, this.options.maxFrameBytes);
  }

  private decodeEvent(peer: PeerLink, frame: EventFrame): BaseEvent | undefined {
    const registration = this.options.registry.lookup(frame.t);
    if (registration === undefined) {
      this.reportError(
        new FrameError(
          { kind: 'unknown-type', direction: 'in', peer: peer.name, eventType: frame.t },
          `no event class is registered as ${frame.t}`,
        ),
      );
      return undefined;
    }
    try {
      const event = this.options.registry.decode(registration, frame.p, frame.bin);
      if (event instanceof registration.cls) return event;
      throw new TypeError(
        `the decoder of ${frame.t} returned something other than a ${registration.cls.name}`,
      );
    } catch (err) {
      const field = err instanceof FrameError ? err.context.field : undefined;
      this.reportError(
        new FrameError(
          {
            kind: 'invalid-payload',
            direction: 'in',
            peer: peer.name,
            eventType: frame.t,
            ...(field === undefined ? {} : { field }),
          },
          err instanceof Error ? err.message : 'decoder failed',
          { cause: err },
        ),
      );
      return undefined;
    }
  }

  /** A local consumer threw or rejected (one function for every dispatch: no closure per event). */
  private readonly handlerFailed = (eventType: string, cause: unknown): void => {
    this.reportError(new SubscriberError({ endpoint: this.name, eventType }, { cause }));
  };
}
