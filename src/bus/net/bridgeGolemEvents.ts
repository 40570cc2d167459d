import type { Subscription } from 'rxjs';
import type { GolemRxError } from '../../errors/GolemRxError.js';
import { loggerSecrets } from '../../logging/formatEvent.js';
import { redact } from '../../logging/redact.js';
import { safeJsonStringify } from '../../logging/safeJson.js';
import type { SourceHealth } from '../../sources/health.js';
import { type GolemEvent, ResourceDataChanged, ResourceEvent, SourceHealthChanged } from '../events.js';
import { isInstance } from '../routing.js';
import type { BroadcastConfig } from './BroadcastConfig.js';
import { bridgeToEndpoint, type BridgeSource } from './bridgeToEndpoint.js';
import type { Endpoint } from './Endpoint.js';
import {
  GOLEM_NODE_EVENT_TYPES,
  GOLEM_RESOURCE_EVENT_TYPES,
  GolemNodeEventMessage,
  GolemResourceEventMessage,
  type GolemNodeEventInit,
  type GolemNodeEventType,
  type GolemResourceEventInit,
  type GolemResourceEventType,
  type GolemWireEvent,
  type WireError,
  type WireSourceHealth,
} from './golemWireEvents.js';

/** How GolemNode's events become wire events. */
export interface GolemWireOptions {
  /**
   * Strings that must never leave the process, e.g. the node's app key; `YAGNA_APPKEY` from the
   * environment is added. Each wire event is serialised and redacted as the logger does, so a
   * secret hidden anywhere (in data, an error message, the base URL) becomes `[REDACTED]`.
   */
  readonly secrets?: readonly string[];
  /**
   * Send `ResourceDataChanged`'s new data (as JSON, `Decimal`s as strings); `false` sends only
   * the event, kind and id.
   * @default true
   */
  readonly includeData?: boolean;
}

/** Options of {@link bridgeGolemEvents}. */
export interface BridgeGolemEventsOptions extends GolemWireOptions {
  /** Routing of outgoing events. @default everywhere someone subscribes */
  readonly config?: BroadcastConfig;
  /** Where mapping failures go. @default `endpoint.reportError` (its `errors$`) */
  readonly onError?: (error: GolemRxError) => void;
}

const resourceTypes: readonly string[] = GOLEM_RESOURCE_EVENT_TYPES;
const nodeTypes: readonly string[] = GOLEM_NODE_EVENT_TYPES;

function wireError(error: unknown): WireError {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: typeof error === 'string' ? error : safeJsonStringify(error) };
}

function wireHealth(health: SourceHealth): WireSourceHealth {
  return health.kind === 'unreachable'
    ? {
        kind: 'unreachable',
        attempt: health.attempt,
        retryInMs: health.retryInMs,
        error: wireError(health.error),
      }
    : { kind: 'recovered', downtimeMs: health.downtimeMs };
}

/** A URL without its `user:password@` part (a non-URL string as it is). */
function withoutCredentials(url: string): string {
  if (!URL.canParse(url)) return url;
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return url;
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

/** Operation and error of a `ResourceOperationFailed` (a resource-layer event, read structurally). */
function failure(event: ResourceEvent): Pick<GolemResourceEventInit, 'operation' | 'error'> {
  const { operation, error } = event as { operation?: unknown; error?: unknown };
  return { operation: typeof operation === 'string' ? operation : undefined, error: wireError(error) };
}

function nodeInit(event: GolemEvent): GolemNodeEventInit | undefined {
  if (!nodeTypes.includes(event.type)) return undefined;
  const eventType = event.type as GolemNodeEventType;
  if (event instanceof SourceHealthChanged) {
    return { eventType, source: event.source, health: wireHealth(event.health) };
  }
  const { node } = event as { node?: { baseUrl?: unknown } };
  const baseUrl = typeof node?.baseUrl === 'string' ? withoutCredentials(node.baseUrl) : undefined;
  return { eventType, baseUrl };
}

/** A resource event's fields before serialisation: `newData` still the live data. */
interface RawResourceInit extends Omit<GolemResourceEventInit, 'newData'> {
  readonly newData?: unknown;
}

function resourceInit(event: ResourceEvent, includeData: boolean): RawResourceInit | undefined {
  if (!resourceTypes.includes(event.type)) return undefined;
  const eventType = event.type as GolemResourceEventType;
  const base = { eventType, resourceKind: event.resource.kind, resourceId: event.resource.id };
  if (isInstance<ResourceDataChanged>(event, ResourceDataChanged)) {
    // the serialiser turns Decimals into strings; what cannot be written becomes null
    return includeData ? { ...base, newData: event.newData ?? null } : base;
  }
  return eventType === 'ResourceOperationFailed' ? { ...base, ...failure(event) } : base;
}

/**
 * The fields as the logger would write them: through the safe serialiser (`Decimal` → string,
 * errors → name and message, nested resources → kind and id, cycles cut), then every secret
 * redacted from the JSON text. A secret that cannot be cut out cleanly makes the text invalid,
 * so the parse throws and the event is reported instead of sent.
 */
function scrubbed<T extends object>(init: object, secrets: readonly string[]): T {
  return JSON.parse(redact(safeJsonStringify(init), secrets)) as T;
}

/**
 * The `toWire` mapping of GolemNode's bus: each resource event (`NewResource`,
 * `ResourceDataChanged`, `ResourceChangePossible`, `ResourceClosed`, `ResourceOperationFailed`)
 * becomes a {@link GolemResourceEventMessage}, each node event (`NodeStarted`, `NodeClosing`,
 * `NodeClosed`, `SourceHealthChanged`) a {@link GolemNodeEventMessage}; anything else
 * (`ListenerFailed`, `ListenerBacklogged`, other layers' events) stays in the process
 * (`undefined`). The secrets are resolved once, when the mapping is made.
 *
 * Compose it with your own mapping in `bridgeToEndpoint`:
 *
 * @example
 * ```ts
 * const golem = golemEventToWire({ secrets: [appKey] });
 * bridgeToEndpoint(node.events, endpoint, { toWire: (e) => myToWire(e) ?? golem(e) });
 * ```
 */
export function golemEventToWire(
  options: GolemWireOptions = {},
): (event: GolemEvent) => GolemWireEvent | undefined {
  const secrets = loggerSecrets(options.secrets);
  const includeData = options.includeData ?? true;
  return (event) => {
    if (isInstance<ResourceEvent>(event, ResourceEvent)) {
      const init = resourceInit(event, includeData);
      return init === undefined
        ? undefined
        : new GolemResourceEventMessage(scrubbed<GolemResourceEventInit>(init, secrets));
    }
    const init = nodeInit(event);
    return init === undefined
      ? undefined
      : new GolemNodeEventMessage(scrubbed<GolemNodeEventInit>(init, secrets));
  };
}

/**
 * Bridge GolemNode's bus (`node.events`) onto an endpoint, so that other processes receive its
 * resource and node events as {@link GolemResourceEventMessage} and {@link GolemNodeEventMessage}:
 * {@link bridgeToEndpoint} with the {@link golemEventToWire} mapping. One way only: nothing
 * from other processes is emitted into the node's bus. Outgoing events use `broadcastNowait`
 * (a burst never blocks the node) and go only to endpoints subscribed to their class; mapping
 * failures are reported on the endpoint's `errors$` (or `onError`), never thrown into the bus.
 *
 * Pass the node's app key in `secrets`: no wire event carries it by design (kinds, ids, data,
 * the base URL without credentials), and each one is redacted like a log line besides.
 *
 * @returns the bridge; unsubscribe it to stop.
 *
 * @example
 * ```ts
 * // the node's process
 * const endpoint = await Endpoint.serve({ name: 'golem' });
 * const bridge = bridgeGolemEvents(node.events, endpoint, { secrets: [appKey] });
 * // another process
 * await watcher.connectToEndpoints(connectionConfigFromName('golem'));
 * watcher.stream(GolemResourceEventMessage).subscribe((e) => console.log(e.eventType, e.resourceKind, e.resourceId));
 * ```
 * @see bridgeToEndpoint
 */
export function bridgeGolemEvents(
  bus: BridgeSource<GolemEvent>,
  endpoint: Endpoint,
  options: BridgeGolemEventsOptions = {},
): Subscription {
  return bridgeToEndpoint(bus, endpoint, {
    toWire: golemEventToWire(options),
    config: options.config,
    onError: options.onError,
  });
}
