import { StorageError } from '../errors/StorageError.js';
import type {
  IncomingTransfer,
  TransferCallOptions,
  TransferStorage,
  TransferUrl,
} from '../ports/storage.js';
import { GsbServiceError } from './errors/GsbServiceError.js';
import { createGsbApi } from './gsbApi.js';
import { GSB_SUBPROTOCOL, type GsbSocketFactory } from './GsbBinding.js';
import { GSB_STORAGE_DEFAULTS, type GsbStorageOptions, configOf } from './gsbStorageOptions.js';
import { GsbTransfers } from './GsbTransfers.js';
import { bytesSink, bytesSource } from './gftp.js';
import { createSha3 } from './sha3.js';

/**
 * A WebSocket class with the browser's API: `globalThis.WebSocket`, or the `ws` package's
 * `WebSocket` (typed loosely, so that the core's types need neither the DOM's nor `ws`'s).
 */
export type WebSocketClass = new (url: string, protocols: string[]) => object;

/** Options of {@link BrowserGsbStorage}. */
export interface BrowserGsbStorageOptions extends GsbStorageOptions {
  /**
   * The WebSocket class.
   * @default globalThis.WebSocket (browsers, Deno, Bun, Node ≥ 22)
   */
  readonly webSocket?: WebSocketClass;
}

/** What a socket of a {@link WebSocketClass} offers (the browser's WebSocket API). */
interface BrowserSocket {
  binaryType: string;
  onopen: (() => void) | null;
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null;
  send(data: Uint8Array): void;
  close(code: number, reason: string): void;
}

/**
 * File transfer through yagna where there is no Node: {@link TransferStorage} over yagna's GSB API
 * on the global `WebSocket`, for bytes. The same protocol as `GsbStorage` of `golem-rx/storage`
 * (which also publishes and receives local files): each URL is a GSB service bound at
 * `/public/gftp/<file id>` (`POST /gsb-api/v1/services`), named `gftp://<requestor node id>/<file id>`;
 * the provider's exe-unit reaches it through the Golem network, so nothing of the requestor
 * listens on a port. Uploads are checked against the SHA3-256 the exe-unit announces.
 *
 * A browser cannot set headers on a websocket: the app key goes in its URL (`?authToken=`, as
 * yagna accepts and golem-js does) and never into an error or a log. The REST calls send it as
 * `Authorization: Bearer`.
 *
 * @example
 * ```ts
 * const node = await new GolemNode({ apiUrl, appKey }).start();
 * const storage = new BrowserGsbStorage({ api: node.api, nodeId: node.identity?.identity });
 * const input = await storage.publishBytes(new TextEncoder().encode('hello'));
 * const output = await storage.receiveBytes();
 * // transfer { from: input.url, to: 'container:/golem/input/in.txt' } … { from: 'container:/golem/output/out.txt', to: output.url }
 * const bytes = await output.received;
 * await storage.close(); // every service unbound
 * ```
 */
export class BrowserGsbStorage implements TransferStorage {
  private readonly transfers: GsbTransfers;

  /**
   * @param options see {@link BrowserGsbStorageOptions}
   * @throws {GsbServiceError} (`connect`) where there is no `WebSocket` and none is given
   * @throws {YagnaArgumentError} when `api` has no client configuration
   */
  constructor(options: BrowserGsbStorageOptions) {
    const api = createGsbApi(configOf(options.api));
    const Socket = options.webSocket ?? (globalThis as { WebSocket?: WebSocketClass }).WebSocket;
    if (Socket === undefined)
      throw new GsbServiceError(
        { operation: 'connect' },
        'there is no global WebSocket here (Node < 22): use GsbStorage of golem-rx/storage, or pass `webSocket`',
      );
    this.transfers = new GsbTransfers({
      api,
      socket: globalSocket(Socket, api.config.appKey),
      nodeId: options.nodeId,
      timeoutMs: options.timeoutMs ?? GSB_STORAGE_DEFAULTS.timeoutMs,
      maxReceiveBytes: options.maxReceiveBytes ?? GSB_STORAGE_DEFAULTS.maxReceiveBytes,
      onError: options.onError,
    });
  }

  /** How many URLs are open. */
  get openTransfers(): number {
    return this.transfers.openTransfers;
  }

  /** Publishes `bytes` (not copied) at a new `gftp://` URL. */
  publishBytes(bytes: Uint8Array, options?: TransferCallOptions): Promise<TransferUrl> {
    return this.transfers.serve(bytesSource(bytes), options?.signal);
  }

  /** There are no local files here: rejects with `StorageError`. Use {@link publishBytes}. */
  publishFile(path: string): Promise<TransferUrl> {
    return Promise.reject(noFiles('serve', path));
  }

  /** A new `gftp://` URL that takes one upload; `received` settles with its bytes. */
  receiveBytes(options?: TransferCallOptions): Promise<IncomingTransfer<Uint8Array>> {
    return this.transfers.receive(bytesSink(createSha3), options?.signal);
  }

  /** There are no local files here: rejects with `StorageError`. Use {@link receiveBytes}. */
  receiveFile(path: string): Promise<IncomingTransfer<void>> {
    return Promise.reject(noFiles('receive', path));
  }

  /** Withdraws every URL and unbinds every service. Idempotent. See {@link GsbStorageOptions.onError}. */
  close(): Promise<void> {
    return this.transfers.close();
  }
}

function noFiles(operation: 'serve' | 'receive', path: string): StorageError {
  const use = operation === 'serve' ? 'publishBytes' : 'receiveBytes';
  return new StorageError({ operation, message: `no local files here (${path}): use ${use}` });
}

/** A socket factory over a browser-style `WebSocket` class; the app key rides in the URL. */
function globalSocket(Socket: WebSocketClass, appKey: string | undefined): GsbSocketFactory {
  return (url, events) => {
    const withKey = new URL(url);
    if (appKey !== undefined) withKey.searchParams.set('authToken', appKey);
    const socket = new Socket(withKey.toString(), [GSB_SUBPROTOCOL]) as BrowserSocket;
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => events.open();
    socket.onmessage = (event) => {
      const data = event.data;
      events.message(data instanceof ArrayBuffer || typeof data === 'string' ? data : new Uint8Array(0));
    };
    socket.onerror = (event) => {
      const message = (event as { message?: unknown } | null)?.message;
      events.error(typeof message === 'string' ? message : 'websocket error');
    };
    socket.onclose = (event) => events.close(event.code, event.reason);
    return {
      send: (data) => socket.send(data),
      close: (code, reason) => socket.close(code, reason),
    };
  };
}
