import type { SourceHealth } from '../sources/health.js';

/**
 * The smallest view of a resource the bus needs: its yagna id and its kind
 * (`'Allocation'`, `'Demand'`, `'Proposal'`, `'Agreement'`, `'Activity'`, …).
 * The resource classes of `src/resources` implement it; the logger writes only these two fields.
 */
export interface BusResource {
  readonly id: string;
  readonly kind: string;
}

/** What a node-lifecycle event says about its node (never the app key). */
export interface NodeInfo {
  /** The yagna REST base URL the node talks to. */
  readonly baseUrl: string;
}

/** A class of events, abstract or not, for routing (`ofType`, `listen({ classes })`). */
export type EventClass<T extends GolemEvent = GolemEvent> = abstract new (...args: never[]) => T;

/**
 * The events of a class (or union of classes): `EventOf<typeof NewResource>` is `NewResource`.
 * (`InstanceType` yields `any` for `EventClass`, so routing uses this.)
 */
export type EventOf<C> = C extends abstract new (...args: never[]) => infer T ? T : never;

/**
 * Base class of everything emitted on a node's event bus (`node.events`).
 * Route by class with `ofType(...)`: a base class matches all its subclasses.
 */
export abstract class GolemEvent {
  /** The event's class, as a literal: stable across minification, processes and log files. */
  abstract readonly type: string;
}

/** Base class of the events about one resource. `ofType(ResourceEvent)` matches all of them. */
export abstract class ResourceEvent<R extends BusResource = BusResource> extends GolemEvent {
  /** @param resource the resource this event is about */
  constructor(readonly resource: R) {
    super();
  }
}

/** A resource object was created: by us (e.g. an allocation), from yagna (a proposal), or by id. */
export class NewResource<R extends BusResource = BusResource> extends ResourceEvent<R> {
  readonly type = 'NewResource' as const;
}

/** A resource's cached data changed; `oldData` is undefined when there was none before. */
export class ResourceDataChanged<R extends BusResource = BusResource, D = unknown> extends ResourceEvent<R> {
  readonly type = 'ResourceDataChanged' as const;

  /**
   * @param resource the resource whose data changed
   * @param oldData the data before the change
   * @param newData the data after it
   */
  constructor(
    resource: R,
    readonly oldData: D | undefined,
    readonly newData: D,
  ) {
    super(resource);
  }
}

/** A resource's data may be outdated (e.g. a proposal after an agreement was created from it). */
export class ResourceChangePossible<R extends BusResource = BusResource> extends ResourceEvent<R> {
  readonly type = 'ResourceChangePossible' as const;
}

/**
 * A resource was closed (released, terminated, unsubscribed) or found gone. At most once per
 * resource: the bus drops a repeat and emits {@link DuplicateResourceClosed} instead.
 */
export class ResourceClosed<R extends BusResource = BusResource> extends ResourceEvent<R> {
  readonly type = 'ResourceClosed' as const;
}

/** The node started: its APIs and the event collection are up. */
export class NodeStarted extends GolemEvent {
  readonly type = 'NodeStarted' as const;

  /** @param node which node */
  constructor(readonly node: NodeInfo) {
    super();
  }
}

/** The node began to shut down (resources are being closed). */
export class NodeClosing extends GolemEvent {
  readonly type = 'NodeClosing' as const;

  /** @param node which node */
  constructor(readonly node: NodeInfo) {
    super();
  }
}

/** The node shut down; nothing more will be emitted by it. */
export class NodeClosed extends GolemEvent {
  readonly type = 'NodeClosed' as const;

  /** @param node which node */
  constructor(readonly node: NodeInfo) {
    super();
  }
}

/** A long-poll source became unreachable or recovered (see `SourceHealth`). */
export class SourceHealthChanged extends GolemEvent {
  readonly type = 'SourceHealthChanged' as const;

  /**
   * @param source the source's name (`LongPollSource.name`)
   * @param health what happened
   */
  constructor(
    readonly source: string,
    readonly health: SourceHealth,
  ) {
    super();
  }
}

/**
 * A listener threw (or its Promise/Observable failed) while handling `event`. Not delivered to
 * the listeners in `chain` (the failing one, and those whose failures led to this one), so two
 * failing listeners cannot bounce failures between them forever.
 */
export class ListenerFailed extends GolemEvent {
  readonly type = 'ListenerFailed' as const;

  /**
   * @param listener the failing listener's id
   * @param event the event it failed on
   * @param error what it threw
   * @param chain the listeners this failure is not delivered to (starting with `listener`)
   */
  constructor(
    readonly listener: string,
    readonly event: GolemEvent,
    readonly error: unknown,
    readonly chain: readonly string[] = [listener],
  ) {
    super();
  }
}

/**
 * A listener's queue reached its high-water mark: it is slower than the events it receives.
 * Nothing is dropped (its queue keeps growing); this is reported once, and again only after
 * its queue has emptied. Not delivered to that listener.
 */
export class ListenerBacklogged extends GolemEvent {
  readonly type = 'ListenerBacklogged' as const;

  /**
   * @param listener the slow listener's id
   * @param queued events waiting in its queue
   * @param highWaterMark its high-water mark
   */
  constructor(
    readonly listener: string,
    readonly queued: number,
    readonly highWaterMark: number,
  ) {
    super();
  }
}

/** A second `ResourceClosed` for one resource was emitted; the bus dropped it. */
export class DuplicateResourceClosed extends GolemEvent {
  readonly type = 'DuplicateResourceClosed' as const;

  /** @param dropped the repeated event, which no listener received */
  constructor(readonly dropped: ResourceClosed) {
    super();
  }
}
