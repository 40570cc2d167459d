/**
 * gftp over GSB, the requestor's side (yagna's `ya_core_model::gftp`): a published file answers
 * `GetMetadata` (`{ fileSize }`) and `GetChunk` (`{ offset, size }` → `{ offset, content }`); an
 * upload URL takes `UploadChunk` (`{ chunk: { offset, content } }`) and `UploadFinished`
 * (`{ hash }`: the SHA3-256 of the whole file, hex, or null). Errors are gftp's variants:
 * `ReadError`, `WriteError`, `IntegrityError`, `InternalError`.
 *
 * @module
 */
import { StorageError } from '../errors/StorageError.js';
import { type GsbMap, type GsbRequest, isMap } from './codec.js';
import type { GsbHandler, GsbReply } from './GsbBinding.js';
import type { Hasher } from './sha3.js';

/** The GSB components a published file is bound with. */
export const SERVE_COMPONENTS = ['GetMetadata', 'GetChunk'] as const;
/** The GSB components an upload URL is bound with. */
export const RECEIVE_COMPONENTS = ['UploadChunk', 'UploadFinished'] as const;

/** What a publication reads from. */
export interface GftpSource {
  /** Its size in bytes (fixed when published, as gftp's metadata). */
  readonly size: number;
  /** Reads `length` bytes at `offset` (within the size). */
  read(offset: number, length: number): Uint8Array | Promise<Uint8Array>;
  /** Releases what it holds (a file handle). Called once, when the URL is withdrawn. */
  release?(): Promise<void>;
}

/** What an upload writes into. */
export interface GftpSink<T> {
  /** Takes one chunk (chunks may come in any order; 8 at a time from yagna's exe-unit). */
  write(offset: number, content: Uint8Array): void | Promise<void>;
  /** Once every chunk is written: the SHA3-256 (hex) of what arrived. */
  digest(): Promise<string>;
  /** Makes what arrived the result (the bytes; the file renamed into place). */
  commit(): Promise<T>;
  /** Drops what arrived (a partial file is deleted). Idempotent. */
  abort(): Promise<void>;
}

const error = (variant: string, message: string | null): GsbReply => ({ error: { [variant]: message } });

/** The handler of a published {@link GftpSource}. */
export function serveHandler(source: GftpSource): GsbHandler {
  return async (request): Promise<GsbReply> => {
    if (request.component === 'GetMetadata') return { payload: { fileSize: source.size } };
    if (request.component !== 'GetChunk') return unsupported(request);
    const { offset, size } = request.payload;
    if (!isCount(offset) || !isCount(size))
      return error('InternalError', 'GetChunk needs integer `offset` and `size`');
    if (offset > source.size)
      return error('ReadError', `offset ${offset} is beyond the end of the file (${source.size} bytes)`);
    const length = Math.min(size, source.size - offset);
    try {
      const content = await source.read(offset, length);
      return { payload: { offset, content } };
    } catch (cause: unknown) {
      return error('ReadError', `cannot read ${length} bytes at offset ${offset}: ${messageOf(cause)}`);
    }
  };
}

/** An upload in progress: the handler of its URL and what it settles with. */
export interface GftpUpload<T> {
  readonly handler: GsbHandler;
  readonly received: Promise<T>;
  /** Ends an unfinished upload: `received` rejects with `error`, the sink is aborted. Idempotent. */
  withdraw(error: StorageError): Promise<void>;
}

/**
 * The handler of an upload URL into `sink`: chunks up to `maxBytes` in all, then `UploadFinished`,
 * whose hash (when given) must match what arrived. One upload per URL.
 */
export function receiveHandler<T>(sink: GftpSink<T>, maxBytes: number): GftpUpload<T> {
  let settle!: { resolve: (value: T) => void; reject: (reason: unknown) => void };
  const received = new Promise<T>((resolve, reject) => (settle = { resolve, reject }));
  received.catch(() => undefined); // observed by whoever awaits it; never unhandled
  let state: 'receiving' | 'finishing' | 'done' = 'receiving';
  const writes = new Set<Promise<void>>();
  const fail = async (reason: StorageError): Promise<void> => {
    if (state === 'done') return;
    state = 'done';
    settle.reject(reason);
    await Promise.allSettled(writes);
    await sink.abort();
  };
  const refuse = (variant: string, message: string): GsbReply => {
    void fail(new StorageError({ operation: 'receive', message }));
    return error(variant, message);
  };

  const handler: GsbHandler = async (request): Promise<GsbReply> => {
    if (request.component !== 'UploadChunk' && request.component !== 'UploadFinished')
      return unsupported(request);
    if (state !== 'receiving') return error('InternalError', 'this upload URL has taken its upload already');
    if (request.component === 'UploadChunk') {
      const chunk = request.payload.chunk;
      const { offset, content } = isMap(chunk) ? chunk : ({} as GsbMap);
      if (!isCount(offset) || !(content instanceof Uint8Array))
        return error('InternalError', 'UploadChunk needs `chunk: { offset, content }`');
      if (offset + content.byteLength > maxBytes)
        return refuse(
          'WriteError',
          `upload over ${maxBytes} bytes (a chunk ends at ${offset + content.byteLength})`,
        );
      const write = Promise.resolve().then(() => sink.write(offset, content));
      writes.add(write);
      try {
        await write;
      } catch (cause: unknown) {
        return refuse(
          'WriteError',
          `cannot write ${content.byteLength} bytes at offset ${offset}: ${messageOf(cause)}`,
        );
      } finally {
        writes.delete(write);
      }
      return { payload: null };
    }
    state = 'finishing';
    const hash = request.payload.hash;
    try {
      await Promise.all(writes);
      const actual = await sink.digest();
      if (typeof hash === 'string' && hash.toLowerCase() !== actual) {
        const message = `the upload's SHA3-256 is ${actual}, not ${hash} as announced`;
        void fail(new StorageError({ operation: 'receive', message }));
        return error('IntegrityError', null); // gftp's unit variant
      }
      const value = await sink.commit();
      state = 'done';
      settle.resolve(value);
      return { payload: null };
    } catch (cause: unknown) {
      return refuse('InternalError', `cannot complete the upload: ${messageOf(cause)}`);
    }
  };
  return { handler, received, withdraw: fail };
}

/**
 * A sink that keeps the chunks in memory and assembles them at the end; they must cover
 * `[0, end)` without a gap.
 */
export function bytesSink(digest: () => Hasher): GftpSink<Uint8Array> {
  const chunks = new Map<number, Uint8Array>();
  let assembled: Uint8Array | undefined;
  const assemble = (): Uint8Array => {
    if (assembled !== undefined) return assembled;
    const sorted = [...chunks.entries()].sort(([a], [b]) => a - b);
    const end = sorted.reduce((max, [offset, c]) => Math.max(max, offset + c.byteLength), 0);
    const out = new Uint8Array(end);
    let covered = 0;
    for (const [offset, content] of sorted) {
      if (offset > covered) throw new RangeError(`no bytes arrived for [${covered}, ${offset})`);
      out.set(content, offset);
      covered = Math.max(covered, offset + content.byteLength);
    }
    assembled = out;
    return out;
  };
  return {
    write(offset, content) {
      chunks.set(offset, content);
    },
    async digest() {
      const hasher = digest();
      hasher.update(assemble());
      return hasher.digest();
    },
    async commit() {
      return assemble();
    },
    async abort() {
      chunks.clear();
    },
  };
}

/** A source over bytes in memory. */
export function bytesSource(bytes: Uint8Array): GftpSource {
  return { size: bytes.byteLength, read: (offset, length) => bytes.subarray(offset, offset + length) };
}

function unsupported(request: GsbRequest): GsbReply {
  return error('InternalError', `unsupported GSB message ${request.component}`);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function messageOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
