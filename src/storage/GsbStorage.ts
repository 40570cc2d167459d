import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import WebSocket from 'ws';
import { StorageError } from '../errors/StorageError.js';
import { MAX_GFTP_BYTES } from '../gsb/codec.js';
import { createGsbApi } from '../gsb/gsbApi.js';
import { GSB_SUBPROTOCOL, type GsbSocketFactory } from '../gsb/GsbBinding.js';
import { GSB_STORAGE_DEFAULTS, type GsbStorageOptions, configOf } from '../gsb/gsbStorageOptions.js';
import { GsbTransfers } from '../gsb/GsbTransfers.js';
import { type GftpSink, type GftpSource, bytesSink, bytesSource } from '../gsb/gftp.js';
import type { Hasher } from '../gsb/sha3.js';
import type {
  IncomingTransfer,
  TransferCallOptions,
  TransferStorage,
  TransferUrl,
} from '../ports/storage.js';
import { LocalPathError } from './errors/LocalPathError.js';

/**
 * File transfer through yagna: {@link TransferStorage} over yagna's GSB API, as golem-js's "ws"
 * storage does. Nothing of the requestor listens on a port, so it works behind any NAT: each URL
 * is a GSB service bound in yagna (`POST /gsb-api/v1/services`) at `/public/gftp/<file id>`, named
 * `gftp://<requestor node id>/<file id>`; the provider's exe-unit asks for it through the Golem
 * network (gftp: `GetMetadata`, `GetChunk`; `UploadChunk`, `UploadFinished`), and yagna relays the
 * requests to the service's websocket, which this storage answers. Closing a URL unbinds its
 * service (`DELETE`); `close()` unbinds them all.
 *
 * - `publishFile(path)` / `publishBytes(bytes)`: a URL to put in a `transfer`'s `from`;
 * - `receiveFile(path)` / `receiveBytes()`: a URL for a `transfer`'s `to`, whose `received`
 *   settles with what arrived (a file is written beside `path` and renamed into place). The
 *   SHA3-256 the exe-unit announces is checked; a mismatch is an `IntegrityError` to the provider
 *   and a `StorageError` from `received`.
 *
 * The websocket is Node's `ws` (Node 20 has no global one), and the app key travels as
 * `Authorization: Bearer`, never in a URL; it never appears in an error. Files up to 4 GiB
 * ({@link MAX_GFTP_BYTES}). Where there is no Node, use the core's `BrowserGsbStorage` (bytes).
 *
 * @example
 * ```ts
 * const node = await new GolemNode().start();
 * const storage = new GsbStorage({ api: node.api, nodeId: node.identity?.identity });
 * const input = await storage.publishFile('./scene.blend');      // transfer from input.url
 * const output = await storage.receiveFile('./out.png');         // transfer to output.url
 * // … run the batch …
 * await output.received;
 * await storage.close();
 * ```
 */
export class GsbStorage implements TransferStorage {
  private readonly transfers: GsbTransfers;

  /**
   * @param options see {@link GsbStorageOptions}
   * @throws {YagnaArgumentError} when `api` has no client configuration
   */
  constructor(options: GsbStorageOptions) {
    const api = createGsbApi(configOf(options.api));
    this.transfers = new GsbTransfers({
      api,
      socket: nodeSocket(api.config.appKey),
      nodeId: options.nodeId,
      timeoutMs: options.timeoutMs ?? GSB_STORAGE_DEFAULTS.timeoutMs,
      maxReceiveBytes: Math.min(
        options.maxReceiveBytes ?? GSB_STORAGE_DEFAULTS.maxReceiveBytes,
        MAX_GFTP_BYTES,
      ),
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

  /**
   * Publishes the local file `path` (its size as it is now) at a new `gftp://` URL. The file stays
   * open until the URL is withdrawn.
   * @throws {LocalPathError} when it does not exist or is not a regular file
   * @throws {StorageError} when it is over 4 GiB
   */
  async publishFile(path: string, options?: TransferCallOptions): Promise<TransferUrl> {
    const info = await stat(path).catch((cause: unknown) => {
      throw new LocalPathError({ path, operation: 'sendFile', problem: 'missing' }, { cause });
    });
    if (!info.isFile()) throw new LocalPathError({ path, operation: 'sendFile', problem: 'notAFile' });
    if (info.size > MAX_GFTP_BYTES)
      throw new StorageError({ operation: 'serve', message: `${path} is over 4 GiB (${info.size} bytes)` });
    const handle = await open(path, 'r').catch((cause: unknown) => {
      throw new LocalPathError({ path, operation: 'sendFile', problem: 'missing' }, { cause });
    });
    return this.transfers.serve(fileSource(handle, info.size), options?.signal);
  }

  /** A new `gftp://` URL that takes one upload; `received` settles with its bytes. */
  receiveBytes(options?: TransferCallOptions): Promise<IncomingTransfer<Uint8Array>> {
    return this.transfers.receive(bytesSink(sha3), options?.signal);
  }

  /**
   * A new `gftp://` URL that takes one upload into the local file `path` (written beside it, then
   * renamed into place once complete and its hash checked).
   * @throws {LocalPathError} when the directory of `path` does not exist
   */
  async receiveFile(path: string, options?: TransferCallOptions): Promise<IncomingTransfer<void>> {
    const info = await stat(dirname(path)).catch((cause: unknown) => {
      throw new LocalPathError({ path, operation: 'downloadFile', problem: 'noDirectory' }, { cause });
    });
    if (!info.isDirectory())
      throw new LocalPathError({ path, operation: 'downloadFile', problem: 'noDirectory' });
    return this.transfers.receive(fileSink(path), options?.signal);
  }

  /**
   * Withdraws every URL (an unfinished upload rejects), unbinds every service and closes every
   * file. Idempotent.
   * @throws the first failure no call returned (see {@link GsbStorageOptions.onError})
   */
  close(): Promise<void> {
    return this.transfers.close();
  }
}

function sha3(): Hasher {
  const hash = createHash('sha3-256');
  return { update: (bytes) => void hash.update(bytes), digest: () => hash.digest('hex') };
}

/** A socket factory over `ws`, the app key in the `Authorization` header. */
function nodeSocket(appKey: string | undefined): GsbSocketFactory {
  return (url, events) => {
    const headers: Record<string, string> = appKey === undefined ? {} : { authorization: `Bearer ${appKey}` };
    const socket = new WebSocket(url, [GSB_SUBPROTOCOL], { headers });
    socket.binaryType = 'arraybuffer';
    socket.on('open', () => events.open());
    socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      if (isBinary && data instanceof ArrayBuffer) return events.message(data);
      const bytes =
        data instanceof ArrayBuffer ? Buffer.from(data) : Array.isArray(data) ? Buffer.concat(data) : data;
      events.message(isBinary ? new Uint8Array(bytes) : bytes.toString('utf8'));
    });
    socket.on('error', (error: Error) => events.error(error.message));
    socket.on('close', (code: number, reason: Buffer) => events.close(code, reason.toString('utf8')));
    return {
      send: (data) => socket.send(data),
      close: (code, reason) => socket.close(code, reason),
    };
  };
}

/** A published file: chunks read at their offsets from one open handle. */
function fileSource(handle: FileHandle, size: number): GftpSource {
  let released: Promise<void> | undefined;
  return {
    size,
    async read(offset, length) {
      const buffer = new Uint8Array(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      if (bytesRead < length)
        throw new Error(`the file ends at ${offset + bytesRead}, before ${offset + length}`);
      return buffer;
    },
    release() {
      released ??= handle.close();
      return released;
    },
  };
}

/** An upload into `path`: chunks written at their offsets into a file beside it, renamed at the end. */
function fileSink(path: string): GftpSink<void> {
  const part = `${path}.part-${randomBytes(6).toString('hex')}`;
  let opened: Promise<FileHandle> | undefined;
  let closed: Promise<void> | undefined;
  const file = (): Promise<FileHandle> => (opened ??= open(part, 'w'));
  const closeFile = (): Promise<void> =>
    (closed ??= opened === undefined ? Promise.resolve() : opened.then((h) => h.close()));
  let aborted: Promise<void> | undefined;
  return {
    async write(offset, content) {
      const handle = await file();
      await handle.write(content, 0, content.byteLength, offset);
    },
    async digest() {
      await file(); // an empty upload is an empty file
      await closeFile();
      const hash = createHash('sha3-256');
      for await (const chunk of createReadStream(part)) hash.update(chunk as Buffer);
      return hash.digest('hex');
    },
    async commit() {
      await rename(part, path);
    },
    abort() {
      aborted ??= closeFile()
        .catch(() => undefined) // the file may be unopenable: it is removed either way
        .then(() => rm(part, { force: true }));
      return aborted;
    },
  };
}
