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
export type { PromiseStore, PromiseRecord, PromiseStoreSnapshot, StoredPromise } from './PromiseStore.js';
export { FileJournalPromiseStore } from './FileJournalPromiseStore.js';
export { InMemoryPromiseStore } from './InMemoryPromiseStore.js';

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
