import {
  BehaviorSubject,
  Subject,
  combineLatest,
  distinctUntilChanged,
  filter,
  firstValueFrom,
  identity,
  map,
  skip,
  take,
  throwError,
  throwIfEmpty,
  timeout,
  type MonoTypeOperatorFunction,
  type Observable,
  type SchedulerLike,
} from 'rxjs';
import type { BaseEvent, EventClass } from './BaseEvent.js';
import type { GolemRxError } from '../../errors/GolemRxError.js';
import { BusTimeoutError } from './errors/BusTimeoutError.js';
import { EndpointClosedError } from './errors/EndpointClosedError.js';
import { UnregisteredEventError } from './errors/UnregisteredEventError.js';
import type { ResolvedOptions } from './options.js';
import type { Peer } from './Peer.js';

/**
 * What an endpoint uses of a connection to a remote endpoint, whatever carries it: a Unix-socket
 * {@link Peer}, or a peer on NATS (`src/bus/net/nats`).
 */
export type PeerLink = Pick<
  Peer,
  | 'name'
  | 'remoteTypes'
  | 'send'
  | 'sendNowait'
  | 'wouldOverflow'
  | 'sendSubscriptions'
  | 'sendFrame'
  | 'waitForAck'
  | 'end'
  | 'whenClosed'
>;

/** What one connected remote endpoint subscribes to, as wire type tags. */
export interface EndpointSubscriptions {
  readonly name: string;
  readonly eventTypes: ReadonlySet<string>;
}

/** Options of every wait API. */
export interface WaitOptions {
  /** Reject with `BusTimeoutError` after this many ms; by default wait until the endpoint closes. */
  readonly timeout?: number;
  /** Runs the timeout. @default the endpoint's scheduler */
  readonly scheduler?: SchedulerLike;
}

/** Options of the "all endpoints" query and wait. */
export interface IncludeSelfOptions {
  /** Also require this endpoint itself to be subscribed. @default true */
  readonly includeSelf?: boolean;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

/**
 * The connection and subscription state of an endpoint, and its queries and waits. Each wait
 * is the first matching value of a state Observable: it resolves at once when already true,
 * rejects with `BusTimeoutError` after `timeout`, and with `EndpointClosedError` on close.
 */
export abstract class EndpointState {
  /** The open connections, by remote name, in the order they opened. */
  protected readonly peers = new Map<string, PeerLink>();
  protected lifecycle: 'idle' | 'running' | 'closed' = 'idle';
  private readonly remotes = new BehaviorSubject<readonly EndpointSubscriptions[]>([]);
  private readonly local = new BehaviorSubject<ReadonlySet<string>>(new Set());
  private readonly errors = new Subject<GolemRxError>();

  /**
   * Non-fatal failures, as typed errors: dropped bad frames (`FrameError`), failed handlers
   * (`SubscriberError`), overflowing `broadcastNowait` (`BroadcastOverflowError`), slow peers cut
   * (`SlowPeerError`), given-up reconnections. Hot; completes when the endpoint closes.
   */
  readonly errors$: Observable<GolemRxError> = this.errors.asObservable();

  /** The connected remote endpoints and their subscriptions; replays the current value. */
  readonly subscriptions$: Observable<readonly EndpointSubscriptions[]> = this.remotes.asObservable();

  /** The names of the connected remote endpoints, on every change; replays the current value. */
  readonly connections$: Observable<readonly string[]> = this.remotes.pipe(
    map((list) => list.map((e) => e.name)),
    distinctUntilChanged(sameNames),
  );

  protected constructor(
    /** This endpoint's name, unique among the endpoints it talks to. */
    readonly name: string,
    protected readonly options: ResolvedOptions,
  ) {}

  /** Is an endpoint of this name connected (handshake complete)? */
  isConnectedTo(name: string): boolean {
    return this.peers.has(name);
  }

  /** The connected remote endpoints with the event types each subscribes to. */
  getConnectedEndpointsAndSubscriptions(): readonly EndpointSubscriptions[] {
    return this.remotes.value;
  }

  /** The event types this endpoint advertises (its subscriptions, subclasses included). */
  getSubscribedEvents(): ReadonlySet<string> {
    return this.local.value;
  }

  /** Is the endpoint `name` (a remote, or this one) subscribed to `cls`? */
  isEndpointSubscribedTo(name: string, cls: EventClass): boolean {
    const type = this.typeOfClass(cls);
    if (name === this.name) return this.local.value.has(type);
    return this.remotes.value.some((e) => e.name === name && e.eventTypes.has(type));
  }

  /** Is at least one connected remote endpoint subscribed to `cls`? */
  isAnyEndpointSubscribedTo(cls: EventClass): boolean {
    const type = this.typeOfClass(cls);
    return this.remotes.value.some((e) => e.eventTypes.has(type));
  }

  /** Is every connected remote endpoint (and, by default, this one) subscribed to `cls`? */
  areAllEndpointsSubscribedTo(cls: EventClass, options: IncludeSelfOptions = {}): boolean {
    const type = this.typeOfClass(cls);
    return this.allSubscribed(type, this.remotes.value, this.local.value, options.includeSelf ?? true);
  }

  /** Resolves once an endpoint of this name is connected. */
  async waitUntilConnectedTo(name: string, options?: WaitOptions): Promise<void> {
    return this.until(
      this.connections$.pipe(filter((names) => names.includes(name))),
      `waitUntilConnectedTo(${name})`,
      options,
    );
  }

  /** Resolves at the next change of the set of connected endpoints. */
  async waitUntilConnectionsChange(options?: WaitOptions): Promise<void> {
    return this.until(this.connections$.pipe(skip(1)), 'waitUntilConnectionsChange', options);
  }

  /** Resolves at the next change of any remote's subscriptions or of the set of connections. */
  async waitUntilEndpointSubscriptionsChange(options?: WaitOptions): Promise<void> {
    return this.until(this.remotes.pipe(skip(1)), 'waitUntilEndpointSubscriptionsChange', options);
  }

  /** Resolves once the endpoint `name` is connected and subscribed to `cls`. */
  async waitUntilEndpointSubscribedTo(name: string, cls: EventClass, options?: WaitOptions): Promise<void> {
    const type = this.typeOfClass(cls);
    return this.until(
      this.remotes.pipe(filter((list) => list.some((e) => e.name === name && e.eventTypes.has(type)))),
      `waitUntilEndpointSubscribedTo(${name}, ${type})`,
      options,
    );
  }

  /** Resolves once any connected remote endpoint is subscribed to `cls`. */
  async waitUntilAnyEndpointSubscribedTo(cls: EventClass, options?: WaitOptions): Promise<void> {
    const type = this.typeOfClass(cls);
    return this.until(
      this.remotes.pipe(filter((list) => list.some((e) => e.eventTypes.has(type)))),
      `waitUntilAnyEndpointSubscribedTo(${type})`,
      options,
    );
  }

  /**
   * Resolves once every connected remote endpoint (and, by default, this one) is subscribed to
   * `cls`. With no connections and `includeSelf: false` it resolves at once.
   */
  async waitUntilAllEndpointsSubscribedTo(
    cls: EventClass,
    options: WaitOptions & IncludeSelfOptions = {},
  ): Promise<void> {
    const type = this.typeOfClass(cls);
    const includeSelf = options.includeSelf ?? true;
    return this.until(
      combineLatest([this.remotes, this.local]).pipe(
        filter(([remotes, local]) => this.allSubscribed(type, remotes, local, includeSelf)),
      ),
      `waitUntilAllEndpointsSubscribedTo(${type})`,
      options,
    );
  }

  /** Route a non-fatal error to {@link errors$} (used by the bus itself and by bridges). */
  reportError(error: GolemRxError): void {
    this.errors.next(error);
  }

  /** The wire type tag of exactly `cls`; throws `UnregisteredEventError`. */
  protected typeOfClass(cls: EventClass): string {
    const type = this.options.registry.typeOf(cls);
    if (type === undefined) throw new UnregisteredEventError({ className: cls.name });
    return type;
  }

  /** The wire type tag of an event's class; throws `UnregisteredEventError`. */
  protected typeOfEvent(event: BaseEvent): string {
    return this.typeOfClass(event.constructor as EventClass);
  }

  /** Publish the remote state after a peer opened, closed or changed its subscriptions. */
  protected publishRemotes(): void {
    this.remotes.next([...this.peers.values()].map((p) => ({ name: p.name, eventTypes: p.remoteTypes })));
  }

  /** Publish this endpoint's advertised event types. */
  protected publishLocal(types: ReadonlySet<string>): void {
    this.local.next(types);
  }

  /** Complete every state stream (the endpoint closed): pending waits reject; later updates are ignored. */
  protected completeState(): void {
    this.remotes.complete();
    this.local.complete();
    this.errors.complete();
  }

  /** The error for an operation on an endpoint that is not running. */
  protected notRunning(operation: string): EndpointClosedError {
    return new EndpointClosedError({
      endpoint: this.name,
      operation,
      state: this.lifecycle === 'closed' ? 'closed' : 'not-running',
    });
  }

  /** Throw `EndpointClosedError` unless the endpoint is running. */
  protected assertRunning(operation: string): void {
    if (this.lifecycle !== 'running') throw this.notRunning(operation);
  }

  /** A `timeout` operator raising `BusTimeoutError`, or nothing without a timeout. */
  protected timeoutAfter<T>(operation: string, options: WaitOptions = {}): MonoTypeOperatorFunction<T> {
    const ms = options.timeout;
    if (ms === undefined) return identity;
    return timeout({
      first: ms,
      scheduler: options.scheduler ?? this.options.scheduler,
      with: () => throwError(() => new BusTimeoutError({ endpoint: this.name, operation, timeoutMs: ms })),
    });
  }

  private until<T>(source: Observable<T>, operation: string, options?: WaitOptions): Promise<void> {
    if (this.lifecycle === 'closed') return Promise.reject(this.notRunning(operation));
    return firstValueFrom(
      source.pipe(
        take(1),
        throwIfEmpty(() => this.notRunning(operation)),
        this.timeoutAfter(operation, options),
        map(() => undefined),
      ),
    );
  }

  private allSubscribed(
    type: string,
    remotes: readonly EndpointSubscriptions[],
    local: ReadonlySet<string>,
    includeSelf: boolean,
  ): boolean {
    return (!includeSelf || local.has(type)) && remotes.every((e) => e.eventTypes.has(type));
  }
}
