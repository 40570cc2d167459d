// The cross-process event bus: lahja's API in RxJS form. See docs/bus.md.

// --- events and routing
export { BaseEvent, BaseRequestResponseEvent, type EventClass } from './BaseEvent.js';
export { BroadcastConfig, type BroadcastConfigInit } from './BroadcastConfig.js';
export {
  EventRegistry,
  defaultEventRegistry,
  registerEvent,
  EVENT_TYPE_PATTERN,
  type ConcreteEventClass,
  type EventDecoder,
  type EventEncoder,
  type EventRegistration,
} from './EventRegistry.js';
export { Payload } from './Payload.js';

// --- endpoints
export { Endpoint, type ServeConfig } from './Endpoint.js';
export type { EndpointSubscriptions, WaitOptions, IncludeSelfOptions } from './EndpointState.js';
export type { StreamOptions, RequestOptions } from './EndpointMessaging.js';
export type { EndpointOptions, ReconnectOptions, NowaitQueueOptions } from './options.js';
export { NatsEndpoint, DEFAULT_HEARTBEAT_INTERVAL, type NatsEndpointConfig } from './nats/NatsEndpoint.js';
export { DEFAULT_SUBJECT_PREFIX } from './nats/subjects.js';
export {
  connectionConfigFromName,
  defaultSocketDir,
  MAX_SOCKET_PATH_BYTES,
  type ConnectionConfig,
} from './unixServer.js';

// --- bridging an in-process bus
export { bridgeToEndpoint, type BridgeSource, type BridgeOptions } from './bridgeToEndpoint.js';

// --- GolemNode's events on the wire
export {
  bridgeGolemEvents,
  golemEventToWire,
  type BridgeGolemEventsOptions,
  type GolemWireOptions,
} from './bridgeGolemEvents.js';
export {
  GolemWireEvent,
  GolemResourceEventMessage,
  GolemNodeEventMessage,
  registerGolemWireEvents,
  GOLEM_RESOURCE_EVENT_TAG,
  GOLEM_NODE_EVENT_TAG,
  GOLEM_RESOURCE_EVENT_TYPES,
  GOLEM_NODE_EVENT_TYPES,
  type GolemResourceEventType,
  type GolemNodeEventType,
  type GolemResourceEventInit,
  type GolemNodeEventInit,
  type WireError,
  type WireSourceHealth,
  type JsonValue,
} from './golemWireEvents.js';

// --- wire format
export { PROTOCOL_VERSION, ENDPOINT_NAME_PATTERN } from './wire/frames.js';

// --- errors
export {
  NoSubscribersError,
  isNoSubscribersError,
  type NoSubscribersContext,
} from './errors/NoSubscribersError.js';
export {
  RequestTimeoutError,
  isRequestTimeoutError,
  type RequestTimeoutContext,
} from './errors/RequestTimeoutError.js';
export {
  RemoteDisconnectedError,
  isRemoteDisconnectedError,
  type RemoteDisconnectedContext,
} from './errors/RemoteDisconnectedError.js';
export {
  ConnectionRejectedError,
  isConnectionRejectedError,
  type ConnectionRejectedContext,
} from './errors/ConnectionRejectedError.js';
export { BusTimeoutError, isBusTimeoutError, type BusTimeoutContext } from './errors/BusTimeoutError.js';
export {
  UnexpectedResponseError,
  isUnexpectedResponseError,
  type UnexpectedResponseContext,
} from './errors/UnexpectedResponseError.js';
export {
  FrameError,
  isFrameError,
  type FrameErrorKind,
  type FrameErrorContext,
} from './errors/FrameError.js';
export {
  BroadcastOverflowError,
  isBroadcastOverflowError,
  type OverflowPolicy,
  type BroadcastOverflowContext,
} from './errors/BroadcastOverflowError.js';
export { SlowPeerError, isSlowPeerError, type SlowPeerContext } from './errors/SlowPeerError.js';
export {
  UnregisteredEventError,
  isUnregisteredEventError,
  type UnregisteredEventContext,
} from './errors/UnregisteredEventError.js';
export {
  EndpointClosedError,
  isEndpointClosedError,
  type EndpointClosedContext,
} from './errors/EndpointClosedError.js';
export { SubscriberError, isSubscriberError, type SubscriberErrorContext } from './errors/SubscriberError.js';
export { BusConfigError, isBusConfigError, type BusConfigContext } from './errors/BusConfigError.js';
