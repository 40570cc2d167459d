// The requestor's transfer server: uploads and downloads over loopback HTTP, no gftp binary.
export { StorageServer } from './StorageServer.js';
export type { Incoming, Published, StorageServerOptions } from './StorageServer.js';

// File transfer through yagna's GSB API (gftp over the services websocket, Node's `ws`): no port open.
export { GsbStorage } from './GsbStorage.js';
export {
  GsbServiceError,
  isGsbServiceError,
  type GsbOperation,
  type GsbServiceContext,
  type GsbStorageOptions,
} from '../gsb/index.js';
export type {
  IncomingTransfer,
  TransferCallOptions,
  TransferStorage,
  TransferUrl,
} from '../ports/storage.js';
