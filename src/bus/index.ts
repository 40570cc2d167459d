// src/bus (in-process): the node's event bus, its event classes and routing operators.
export type { EventBusConfig, ListenerHandle, ListenOptions, ResourceListenOptions } from './EventBus.js';
export { EventBus } from './EventBus.js';
export type { BusResource, EventClass, EventOf, NodeInfo } from './events.js';
export {
  DuplicateResourceClosed,
  GolemEvent,
  ListenerBacklogged,
  ListenerFailed,
  NewResource,
  NodeClosed,
  NodeClosing,
  NodeStarted,
  ResourceChangePossible,
  ResourceClosed,
  ResourceDataChanged,
  ResourceEvent,
  SourceHealthChanged,
} from './events.js';
export type { Listener } from './listenerQueue.js';
export { forResource, ofType, sourceHealthChanged, withIds } from './operators.js';
export type { ResourceMatcher } from './routing.js';
