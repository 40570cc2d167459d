/**
 * The options both GSB storages take (`BrowserGsbStorage` here, `GsbStorage` in
 * `golem-rx/storage`), and how they find the client configuration in them.
 *
 * @module
 */
import type { YagnaConfig } from '../api/config.js';
import { YagnaArgumentError } from '../api/errors/YagnaArgumentError.js';

/** Options of a GSB storage. */
export interface GsbStorageOptions {
  /**
   * The yagna to bind the services on: a client made by `createYagnaApi()` (a `GolemNode`'s
   * `node.api`, unless you injected a stub), or its `config` (`{ apiUrl, appKey, … }`).
   */
  readonly api: object;
  /**
   * The requestor's node id, which names the `gftp://` URLs (`node.identity?.identity` of a started
   * node).
   * @default asked once of yagna (`GET /me`) at the first publication
   */
  readonly nodeId?: string;
  /**
   * Client timeout of opening a services' websocket, in ms (the REST calls use the client's).
   * @default 30000
   */
  readonly timeoutMs?: number;
  /**
   * The largest upload a receiving URL takes, in bytes; a bigger one is refused (`WriteError` to
   * the provider, `StorageError` from `received`).
   * @default 1 GiB
   */
  readonly maxReceiveBytes?: number;
  /**
   * Where the failures that no call returns go: a websocket yagna closed while its URL was
   * published, a message that is not a GSB request, an unbinding that failed in the background.
   * @default none: `close()` rejects with the first of them
   */
  readonly onError?: (error: Error) => void;
}

/** The defaults of {@link GsbStorageOptions}. */
export const GSB_STORAGE_DEFAULTS = { timeoutMs: 30_000, maxReceiveBytes: 1024 ** 3 } as const;

/**
 * The client configuration in `api` (a client with `config`, or a configuration).
 * @throws {YagnaArgumentError} when there is none (e.g. an injected stub client)
 */
export function configOf(api: object): YagnaConfig {
  const candidate = 'config' in api ? (api as { readonly config: unknown }).config : api;
  if (isYagnaConfig(candidate)) return candidate;
  throw new YagnaArgumentError(
    'GSB storage: `api` must be a client made by createYagnaApi() (or its `config`): it gives the API URL and the app key',
    { argument: 'api' },
  );
}

function isYagnaConfig(value: unknown): value is YagnaConfig {
  if (typeof value !== 'object' || value === null) return false;
  const config = value as { apiUrl?: unknown; appKey?: unknown };
  return typeof config.apiUrl === 'string' && 'appKey' in config;
}
