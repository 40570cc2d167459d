// src/gsb: file transfer through yagna's GSB API (gftp over the services websocket), browser-safe:
// no port of the requestor is opened. BrowserGsbStorage here; GsbStorage (local files, Node's `ws`)
// in golem-rx/storage. See docs/storage.md.

// --- the storage on the global WebSocket
export {
  BrowserGsbStorage,
  type BrowserGsbStorageOptions,
  type WebSocketClass,
} from './BrowserGsbStorage.js';
export { type GsbStorageOptions } from './gsbStorageOptions.js';

// --- the GSB API (bind and unbind services)
export { GSB_API_PATH, createGsbApi, type GsbApi, type GsbListen, type GsbServicesDto } from './gsbApi.js';
export { MAX_GFTP_BYTES } from './codec.js';

// --- errors
export {
  GsbServiceError,
  isGsbServiceError,
  type GsbOperation,
  type GsbServiceContext,
} from './errors/GsbServiceError.js';
