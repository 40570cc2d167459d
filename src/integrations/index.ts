// golem-rx integrations: runnables and their registry (startup/shutdown wiring, signals, drain),
// the status model and its JSON handler core. Framework-free: the adapters for Node's http,
// Express, Fastify and Hono are separate entries (node.ts, express.ts, fastify.ts, hono.ts). The
// live dashboard (src/dashboard) sits above this layer: src/web.ts exports both. See docs/web.md.

// --- runnables
export type { Runnable, RunnableState, RunnableStatus } from './Runnable.js';
export { runnableFromObservable } from './runnableFromObservable.js';
export type { RunnableFromObservableConfig } from './runnableFromObservable.js';
export { runnableFromNode } from './runnableFromNode.js';
export type { RunnableFromNodeConfig, StartableNode } from './runnableFromNode.js';
export { RunnableRegistry, wireUp } from './RunnableRegistry.js';
export type { RegistryState, RunnableRegistryConfig, ShutdownReport } from './RunnableRegistry.js';
export {
  CLEANING_UP_MESSAGE,
  SignalHandlers,
  type SignalHandlersOptions,
  type SignalProcess,
} from './signals.js';

// --- status model
export { RunnableChanged, ProposalScored, ProposalCountered } from './events.js';
export type { ProposalRef } from './events.js';
export { StatusFeed } from './StatusFeed.js';
export { initialStatus } from './statusModel.js';
export type {
  MarketEntry,
  MarketStage,
  SpendPoint,
  StatusEvent,
  StatusFailure,
  StatusLimits,
  StatusState,
  TrackedResource,
} from './statusModel.js';
export { statusReducer } from './statusReducer.js';
export { createStatusStore, statusOf } from './statusStore.js';
export type { StatusConfig, StatusSource, StatusSourceFailed, StatusStore } from './statusStore.js';
export { toStatusJson } from './statusJson.js';
export type { OverallStatus, RunnableJson, StatusJson } from './statusJson.js';

// --- the JSON status handler's framework-free core
export { createStatusEndpoint } from './statusEndpoint.js';
export type {
  StatusEndpoint,
  StatusHandlerConfig,
  StatusRequest,
  StatusResponse,
  StatusSnapshotSource,
} from './statusEndpoint.js';

// --- errors
export { RunnableFailedError, isRunnableFailedError } from './errors/RunnableFailedError.js';
export type { RunnableFailure } from './errors/RunnableFailedError.js';
