// The requestor's transfer server: uploads and downloads over loopback HTTP, no gftp binary.
export { StorageServer } from './StorageServer.js';
export type { Incoming, Published, StorageServerOptions } from './StorageServer.js';
