import { BaseEvent } from './BaseEvent.js';
import { defaultEventRegistry, type EventRegistry } from './EventRegistry.js';
import { FrameError } from './errors/FrameError.js';
import type { Payload } from './Payload.js';

/** A JSON value: what a wire event's free-form fields (`newData`) hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The resource events of GolemNode's bus that cross the wire. */
export const GOLEM_RESOURCE_EVENT_TYPES = [
  'NewResource',
  'ResourceDataChanged',
  'ResourceChangePossible',
  'ResourceClosed',
  'ResourceOperationFailed',
] as const;

/** The `eventType` of a {@link GolemResourceEventMessage}. */
export type GolemResourceEventType = (typeof GOLEM_RESOURCE_EVENT_TYPES)[number];

/** The node events of GolemNode's bus that cross the wire. */
export const GOLEM_NODE_EVENT_TYPES = [
  'NodeStarted',
  'NodeClosing',
  'NodeClosed',
  'SourceHealthChanged',
] as const;

/** The `eventType` of a {@link GolemNodeEventMessage}. */
export type GolemNodeEventType = (typeof GOLEM_NODE_EVENT_TYPES)[number];

/** An error as it crosses the wire: its name and (redacted) message, nothing else. */
export interface WireError {
  readonly name: string;
  readonly message: string;
}

/** A `SourceHealth` as it crosses the wire (the error reduced to a {@link WireError}). */
export type WireSourceHealth =
  | {
      readonly kind: 'unreachable';
      readonly attempt: number;
      readonly retryInMs: number;
      readonly error: WireError;
    }
  | { readonly kind: 'recovered'; readonly downtimeMs: number };

/**
 * The base of GolemNode's wire events; unregistered, so subscribing to it
 * (`endpoint.stream(GolemWireEvent)`) receives every registered subclass.
 */
export abstract class GolemWireEvent extends BaseEvent {
  /** The in-process event's `type` (`'NewResource'`, `'NodeClosed'`, …). */
  abstract readonly eventType: string;
}

/** The fields of a {@link GolemResourceEventMessage}. */
export interface GolemResourceEventInit {
  readonly eventType: GolemResourceEventType;
  readonly resourceKind: string;
  readonly resourceId: string;
  /** `ResourceDataChanged` only (unless the bridge leaves data out): the new data as JSON, `Decimal`s as strings. */
  readonly newData?: JsonValue;
  /** `ResourceOperationFailed` only: what the node was doing in the background. */
  readonly operation?: string;
  /** `ResourceOperationFailed` only: what it failed with. */
  readonly error?: WireError;
}

/**
 * A resource event of GolemNode's bus, as plain data (tag `golem-rx.resource-event`): which
 * event, the resource's kind and id, and for `ResourceDataChanged` a JSON copy of the new data.
 * Never the resource object, its node, or the app key.
 *
 * @example
 * ```ts
 * endpoint.stream(GolemResourceEventMessage).subscribe((e) => console.log(e.eventType, e.resourceKind, e.resourceId));
 * ```
 */
export class GolemResourceEventMessage extends GolemWireEvent {
  readonly eventType: GolemResourceEventType;
  /** `'Allocation'`, `'Demand'`, `'Proposal'`, `'Agreement'`, … */
  readonly resourceKind: string;
  /** yagna's id of the resource. */
  readonly resourceId: string;
  /** `ResourceDataChanged`: the new data as JSON (`Decimal`s as decimal strings). */
  readonly newData?: JsonValue;
  /** `ResourceOperationFailed`: the background operation that failed. */
  readonly operation?: string;
  /** `ResourceOperationFailed`: its error. */
  readonly error?: WireError;

  /** @param init the event's fields */
  constructor(init: GolemResourceEventInit) {
    super();
    this.eventType = init.eventType;
    this.resourceKind = init.resourceKind;
    this.resourceId = init.resourceId;
    if (init.newData !== undefined) this.newData = init.newData;
    if (init.operation !== undefined) this.operation = init.operation;
    if (init.error !== undefined) this.error = init.error;
  }
}

/** The fields of a {@link GolemNodeEventMessage}. */
export interface GolemNodeEventInit {
  readonly eventType: GolemNodeEventType;
  /** `NodeStarted` / `NodeClosing` / `NodeClosed`: the yagna REST base URL (without credentials). */
  readonly baseUrl?: string;
  /** `SourceHealthChanged`: the long-poll source's name. */
  readonly source?: string;
  /** `SourceHealthChanged`: what happened. */
  readonly health?: WireSourceHealth;
}

/**
 * A node event of GolemNode's bus, as plain data (tag `golem-rx.node-event`): the lifecycle
 * (`NodeStarted`, `NodeClosing`, `NodeClosed`, with `baseUrl`) and `SourceHealthChanged`
 * (with `source` and `health`). Never the app key.
 *
 * @example
 * ```ts
 * await endpoint.waitFor(GolemNodeEventMessage); // e.g. NodeStarted
 * ```
 */
export class GolemNodeEventMessage extends GolemWireEvent {
  readonly eventType: GolemNodeEventType;
  /** Lifecycle events: the yagna REST base URL. */
  readonly baseUrl?: string;
  /** `SourceHealthChanged`: the source's name. */
  readonly source?: string;
  /** `SourceHealthChanged`: unreachable (with the attempt, backoff and error) or recovered. */
  readonly health?: WireSourceHealth;

  /** @param init the event's fields */
  constructor(init: GolemNodeEventInit) {
    super();
    this.eventType = init.eventType;
    if (init.baseUrl !== undefined) this.baseUrl = init.baseUrl;
    if (init.source !== undefined) this.source = init.source;
    if (init.health !== undefined) this.health = init.health;
  }
}

/** The wire tag of {@link GolemResourceEventMessage}. */
export const GOLEM_RESOURCE_EVENT_TAG = 'golem-rx.resource-event';
/** The wire tag of {@link GolemNodeEventMessage}. */
export const GOLEM_NODE_EVENT_TAG = 'golem-rx.node-event';

function oneOf<T extends string>(p: Payload, key: string, allowed: readonly T[]): T {
  const value = p.string(key);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new FrameError(
      { kind: 'invalid-payload', direction: 'in', field: `payload.${key}` },
      `payload.${key}: unknown value ${JSON.stringify(value)}`,
    );
  }
  return value as T;
}

function decodeError(p: Payload): WireError {
  return { name: p.string('name'), message: p.string('message') };
}

function decodeHealth(p: Payload): WireSourceHealth {
  return oneOf(p, 'kind', ['unreachable', 'recovered'] as const) === 'unreachable'
    ? {
        kind: 'unreachable',
        attempt: p.integer('attempt'),
        retryInMs: p.number('retryInMs'),
        error: decodeError(p.object('error')),
      }
    : { kind: 'recovered', downtimeMs: p.number('downtimeMs') };
}

function decodeResourceEvent(p: Payload): GolemResourceEventMessage {
  return new GolemResourceEventMessage({
    eventType: oneOf(p, 'eventType', GOLEM_RESOURCE_EVENT_TYPES),
    resourceKind: p.string('resourceKind'),
    resourceId: p.string('resourceId'),
    // JSON parsed from the frame: plain data by construction
    newData: p.has('newData') ? (p.value('newData') as JsonValue) : undefined,
    operation: p.optionalString('operation'),
    error: p.has('error') ? decodeError(p.object('error')) : undefined,
  });
}

function decodeNodeEvent(p: Payload): GolemNodeEventMessage {
  return new GolemNodeEventMessage({
    eventType: oneOf(p, 'eventType', GOLEM_NODE_EVENT_TYPES),
    baseUrl: p.optionalString('baseUrl'),
    source: p.optionalString('source'),
    health: p.has('health') ? decodeHealth(p.object('health')) : undefined,
  });
}

/**
 * Register GolemNode's wire events in `registry` (under `golem-rx.resource-event` and
 * `golem-rx.node-event`). They are registered in `defaultEventRegistry` when this module loads;
 * call this only for a private registry (`new Endpoint(name, { registry })`).
 *
 * @returns the registry
 */
export function registerGolemWireEvents(registry: EventRegistry): EventRegistry {
  return registry
    .register(GOLEM_RESOURCE_EVENT_TAG, GolemResourceEventMessage, decodeResourceEvent)
    .register(GOLEM_NODE_EVENT_TAG, GolemNodeEventMessage, decodeNodeEvent);
}

registerGolemWireEvents(defaultEventRegistry);
