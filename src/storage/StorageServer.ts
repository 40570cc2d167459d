import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { LocalPathError } from './errors/LocalPathError.js';
import { StorageError } from '../errors/StorageError.js';
import type {
  IncomingTransfer,
  TransferCallOptions,
  TransferStorage,
  TransferUrl,
} from '../ports/storage.js';

/** Options of {@link StorageServer}. */
export interface StorageServerOptions {
  /**
   * The interface to listen on.
   * @default '127.0.0.1' (loopback: reachable by devnet's exe-units, not by remote providers)
   */
  host?: string;
  /**
   * The TCP port; `0` picks a free one.
   * @default 0
   */
  port?: number;
  /**
   * The base URL providers reach the server at, when it differs from `http://host:port` (behind
   * a NAT or a reverse proxy).
   * @default `http://host:port`
   */
  publicUrl?: string;
  /**
   * The largest body a download may bring, in bytes; bigger ones are refused with 413.
   * @default 1 GiB
   */
  maxReceiveBytes?: number;
}

/** One URL of the server (the storage port's {@link TransferUrl}): `close()` makes later requests get 404. */
export type Published = TransferUrl;

/** A URL the provider uploads one file to (`PUT`): the storage port's {@link IncomingTransfer}. */
export type Incoming<T> = IncomingTransfer<T>;

type Route =
  | { readonly kind: 'serve'; readonly send: (res: ServerResponse) => void }
  | { readonly kind: 'receive'; readonly take: (req: IncomingMessage, res: ServerResponse) => void };

const DEFAULT_MAX_RECEIVE = 1024 ** 3;

/**
 * The requestor's end of file transfers, without a gftp binary: a small HTTP server that serves
 * uploads (`GET`) and takes downloads (`PUT`), one unguessable URL per transfer. It starts on the
 * first transfer, listens on loopback on a random port by default, and forgets a URL when it is
 * closed.
 *
 * Local paths are checked before a URL is made: a file to send must exist and be a regular file,
 * the directory of a file to receive must exist; otherwise {@link LocalPathError}. A received file
 * is written beside its target and renamed into place when complete.
 *
 * This is an adapter at the edge (Promises, `node:http`).
 *
 * @example
 * ```ts
 * const storage = new StorageServer();
 * const upload = await storage.publishFile('./scene.blend');      // GET upload.url
 * const result = await storage.receiveBytes();                     // PUT result.url
 * // … run `transfer` commands with these URLs …
 * const bytes = await result.received;
 * upload.close(); result.close();
 * await storage.close();
 * ```
 */
export class StorageServer implements TransferStorage {
  private readonly routes = new Map<string, Route>();
  private server: Server | undefined;
  private starting: Promise<string> | undefined;
  private base: string | undefined;

  /** @param options see {@link StorageServerOptions} */
  constructor(private readonly options: StorageServerOptions = {}) {}

  /** The base URL, once started. */
  get url(): string | undefined {
    return this.base;
  }

  /** How many URLs are open. */
  get openTransfers(): number {
    return this.routes.size;
  }

  /**
   * Starts listening (idempotent; the transfer methods call it).
   * @returns the base URL
   * @throws {StorageError} when it cannot listen
   */
  start(): Promise<string> {
    this.starting ??= new Promise<string>((resolve, reject) => {
      const server = createServer((req, res) => this.handle(req, res));
      server.once('error', (cause) => {
        this.starting = undefined;
        reject(new StorageError({ operation: 'start', message: 'cannot listen' }, { cause }));
      });
      const host = this.options.host ?? '127.0.0.1';
      server.listen(this.options.port ?? 0, host, () => {
        const { port } = server.address() as AddressInfo;
        const shown = host.includes(':') ? `[${host}]` : host;
        this.server = server;
        this.base = (this.options.publicUrl ?? `http://${shown}:${port}`).replace(/\/+$/, '');
        resolve(this.base);
      });
    });
    return this.starting;
  }

  /**
   * `url`, unless the caller's signal was aborted while it was being opened: then it is closed at
   * once and the call rejects with the signal's reason (nothing stays published for nobody).
   */
  private unlessAborted<U extends { close(): void }>(signal: AbortSignal | undefined, url: U): U {
    if (signal?.aborted === true) {
      url.close();
      signal.throwIfAborted();
    }
    return url;
  }

  /** Serves `bytes` at a new URL. */
  async publishBytes(bytes: Uint8Array, options?: TransferCallOptions): Promise<Published> {
    options?.signal?.throwIfAborted();
    const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const published = await this.open({
      kind: 'serve',
      send: (res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.byteLength });
        res.end(body);
      },
    });
    return this.unlessAborted(options?.signal, published);
  }

  /**
   * Serves the local file `path` at a new URL.
   * @throws {LocalPathError} when it does not exist or is not a regular file
   */
  async publishFile(path: string, options?: TransferCallOptions): Promise<Published> {
    options?.signal?.throwIfAborted();
    const info = await stat(path).catch((cause: unknown) => {
      throw new LocalPathError({ path, operation: 'sendFile', problem: 'missing' }, { cause });
    });
    if (!info.isFile()) throw new LocalPathError({ path, operation: 'sendFile', problem: 'notAFile' });
    const published = await this.open({
      kind: 'serve',
      send: (res) => {
        const stream = createReadStream(path);
        stream.once('open', () => {
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          stream.pipe(res);
        });
        stream.once('error', () => {
          if (!res.headersSent) res.writeHead(404).end();
          else res.destroy();
        });
      },
    });
    return this.unlessAborted(options?.signal, published);
  }

  /** A URL that takes one upload and keeps it in memory. */
  async receiveBytes(options?: TransferCallOptions): Promise<Incoming<Uint8Array>> {
    options?.signal?.throwIfAborted();
    const limit = this.options.maxReceiveBytes ?? DEFAULT_MAX_RECEIVE;
    let settle!: { resolve: (value: Uint8Array) => void; reject: (error: unknown) => void };
    const received = new Promise<Uint8Array>((resolve, reject) => (settle = { resolve, reject }));
    received.catch(() => undefined); // observed by the caller when it awaits; never unhandled
    const published = await this.open({
      kind: 'receive',
      take: (req, res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        req.on('data', (chunk: Buffer) => {
          size += chunk.byteLength;
          if (size > limit) {
            settle.reject(new StorageError({ operation: 'receive', message: `upload over ${limit} bytes` }));
            res.writeHead(413).end();
            req.destroy();
            return;
          }
          chunks.push(chunk);
        });
        req.once('end', () => {
          if (size > limit) return;
          settle.resolve(new Uint8Array(Buffer.concat(chunks)));
          res.writeHead(204).end();
        });
        req.once('error', (cause) =>
          settle.reject(new StorageError({ operation: 'receive', message: 'upload broke' }, { cause })),
        );
      },
    });
    return this.unlessAborted(options?.signal, { ...published, received });
  }

  /**
   * A URL that takes one upload into the local file `path` (written beside it, then renamed).
   * @throws {LocalPathError} when the directory of `path` does not exist
   */
  async receiveFile(path: string, options?: TransferCallOptions): Promise<Incoming<void>> {
    options?.signal?.throwIfAborted();
    const dir = dirname(path);
    const info = await stat(dir).catch((cause: unknown) => {
      throw new LocalPathError({ path, operation: 'downloadFile', problem: 'noDirectory' }, { cause });
    });
    if (!info.isDirectory())
      throw new LocalPathError({ path, operation: 'downloadFile', problem: 'noDirectory' });
    const limit = this.options.maxReceiveBytes ?? DEFAULT_MAX_RECEIVE;
    let settle!: { resolve: () => void; reject: (error: unknown) => void };
    const received = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    received.catch(() => undefined);
    const published = await this.open({
      kind: 'receive',
      take: (req, res) => {
        const part = `${path}.part-${randomBytes(6).toString('hex')}`;
        const out = createWriteStream(part);
        let size = 0;
        const fail = (error: StorageError, status: number): void => {
          settle.reject(error);
          if (!res.headersSent) res.writeHead(status).end();
          req.destroy();
          out.destroy();
          void rm(part, { force: true });
        };
        req.on('data', (chunk: Buffer) => {
          size += chunk.byteLength;
          if (size > limit)
            fail(new StorageError({ operation: 'receive', message: `upload over ${limit} bytes` }), 413);
        });
        out.once('error', (cause) =>
          fail(new StorageError({ operation: 'receive', message: `cannot write ${path}` }, { cause }), 500),
        );
        out.once('finish', () => {
          if (size > limit) return;
          rename(part, path).then(
            () => {
              settle.resolve();
              res.writeHead(204).end();
            },
            (cause: unknown) =>
              fail(
                new StorageError({ operation: 'receive', message: `cannot write ${path}` }, { cause }),
                500,
              ),
          );
        });
        req.pipe(out);
      },
    });
    return this.unlessAborted(options?.signal, { ...published, received });
  }

  /** Stops the server: every URL is withdrawn and every connection closed. Idempotent. */
  async close(): Promise<void> {
    this.routes.clear();
    const server = this.server;
    this.server = undefined;
    this.starting = undefined;
    this.base = undefined;
    if (server === undefined) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async open(route: Route): Promise<Published> {
    const base = await this.start();
    const token = randomBytes(32).toString('base64url');
    this.routes.set(token, route);
    return { url: `${base}/t/${token}`, close: () => void this.routes.delete(token) };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const match = /^\/t\/([A-Za-z0-9_-]{43})$/.exec((req.url ?? '').split('?')[0] ?? '');
    const route = match?.[1] === undefined ? undefined : this.routes.get(match[1]);
    if (route === undefined) {
      res.writeHead(404).end();
      req.resume();
      return;
    }
    if (route.kind === 'serve' && (req.method === 'GET' || req.method === 'HEAD')) {
      req.resume();
      if (req.method === 'HEAD') res.writeHead(200).end();
      else route.send(res);
      return;
    }
    if (route.kind === 'receive' && req.method === 'PUT') {
      // One upload per URL: the URL is withdrawn as the upload begins.
      this.routes.delete(match![1]!);
      route.take(req, res);
      return;
    }
    res.writeHead(405).end();
    req.resume();
  }
}
