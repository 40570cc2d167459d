// golem-rx/promises: durable single-assignment values awaited by workers, completed by code or HTTP.

// --- the registry
export {
  PromiseRegistry,
  DEFAULT_PROMISE_JOURNAL_PATH,
  type PromiseRegistryConfig,
  type OpenPromiseRegistryConfig,
  type AwaitPromiseOptions,
  type PromiseState,
} from './PromiseRegistry.js';
export { type PromiseId, isPromiseId, formatPromiseId } from './PromiseId.js';

// --- stores
export type {
  PromiseStore,
  PromiseRecord,
  PromiseStoreSnapshot,
  StoredPromise,
  PromiseAppendOutcome,
} from './PromiseStore.js';
export { FileJournalPromiseStore } from './FileJournalPromiseStore.js';
export { InMemoryPromiseStore } from './InMemoryPromiseStore.js';

// --- across hosts: JetStream key-value (the @nats-io peers load when a store opens)
export {
  NatsKvPromiseStore,
  DEFAULT_PROMISE_BUCKET,
  type NatsKvPromiseStoreConfig,
  type NatsKvPromiseStoreOptions,
} from './nats/NatsKvPromiseStore.js';

// --- JSON payloads
export { encodePromiseJson, decodePromiseJson } from './promiseJson.js';

// --- HTTP completion
export {
  startPromiseServer,
  type PromiseServerConfig,
  type PromiseServerHandle,
  type PromiseServerRegistry,
} from './startPromiseServer.js';

// --- errors
export { PromiseNotFoundError, isPromiseNotFoundError } from './errors/PromiseNotFoundError.js';
export {
  PromiseRegistryClosedError,
  isPromiseRegistryClosedError,
} from './errors/PromiseRegistryClosedError.js';
export { PromiseJournalError, isPromiseJournalError } from './errors/PromiseJournalError.js';
export { PromisePayloadError, isPromisePayloadError } from './errors/PromisePayloadError.js';
export { PromiseConflictError, isPromiseConflictError } from './errors/PromiseConflictError.js';
export {
  PromiseKvStoreError,
  isPromiseKvStoreError,
  type PromiseKvStoreOperation,
} from './errors/PromiseKvStoreError.js';
