/**
 * The machinery the GSB storages share (`BrowserGsbStorage` here, `GsbStorage` in
 * `golem-rx/storage`): one GSB service bound per URL at `/public/gftp/<file id>`, its websocket
 * answering the provider's gftp requests, and the bookkeeping that releases every service.
 *
 * Binding is a creating call (ports contract): a caller's abort does not abort the `POST`; the
 * publication rejects at once with `signal.reason`, and the services, once bound, are unbound in
 * the background (`close()` waits for that).
 *
 * @module
 */
import { StorageError } from '../errors/StorageError.js';
import type { IncomingTransfer, TransferUrl } from '../ports/storage.js';
import { GsbServiceError } from './errors/GsbServiceError.js';
import type { GsbApi } from './gsbApi.js';
import { GsbBinding, type GsbHandler, type GsbSocketFactory } from './GsbBinding.js';
import {
  type GftpSink,
  type GftpSource,
  RECEIVE_COMPONENTS,
  SERVE_COMPONENTS,
  receiveHandler,
  serveHandler,
} from './gftp.js';

/** How the machinery is set up by a storage. */
export interface GsbTransfersOptions {
  readonly api: GsbApi;
  readonly socket: GsbSocketFactory;
  /** The requestor's node id; absent: `GET /me` on first use. */
  readonly nodeId?: string | undefined;
  /** Client timeout of opening a websocket, ms. */
  readonly timeoutMs: number;
  /** Largest upload, bytes. */
  readonly maxReceiveBytes: number;
  /** Where failures nobody awaits go; absent: `close()` rejects with the first. */
  readonly onError?: ((error: Error) => void) | undefined;
}

interface Entry {
  readonly url: string;
  readonly binding: GsbBinding;
  /** Releases what the URL holds (a file handle; an unfinished upload is rejected). */
  readonly release: () => Promise<void>;
}

/** One bound URL per publication and per upload, all released by `close()`. */
export class GsbTransfers {
  private readonly entries = new Set<Entry>();
  private readonly background = new Set<Promise<void>>();
  private readonly failures: Error[] = [];
  private readonly lifetime = new AbortController();
  private nodeId: Promise<string> | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: GsbTransfersOptions) {
    if (options.nodeId !== undefined) this.nodeId = Promise.resolve(options.nodeId);
  }

  /** How many URLs are open. */
  get openTransfers(): number {
    return this.entries.size;
  }

  /** Publishes `source` (answering `GetMetadata` and `GetChunk`) at a new `gftp://` URL. */
  async serve(source: GftpSource, signal?: AbortSignal): Promise<TransferUrl> {
    try {
      const entry = await this.bind(SERVE_COMPONENTS, serveHandler(source), signal, {
        release: async () => source.release?.(),
        dropped: () => undefined,
      });
      return { url: entry.url, close: () => this.withdraw(entry) };
    } catch (error: unknown) {
      await source.release?.();
      throw error;
    }
  }

  /** A new `gftp://` URL taking one upload (`UploadChunk`, `UploadFinished`) into `sink`. */
  async receive<T>(sink: GftpSink<T>, signal?: AbortSignal): Promise<IncomingTransfer<T>> {
    const upload = receiveHandler(sink, this.options.maxReceiveBytes);
    try {
      const entry = await this.bind(RECEIVE_COMPONENTS, upload.handler, signal, {
        release: () =>
          upload.withdraw(
            new StorageError({
              operation: 'receive',
              message: 'the URL was withdrawn before the upload finished',
            }),
          ),
        dropped: (error) =>
          upload.withdraw(
            new StorageError(
              { operation: 'receive', message: 'yagna closed the upload URL before the upload finished' },
              { cause: error },
            ),
          ),
      });
      return { url: entry.url, received: upload.received, close: () => this.withdraw(entry) };
    } catch (error: unknown) {
      await sink.abort();
      throw error;
    }
  }

  /**
   * Withdraws every URL (each service unbound; an unfinished upload rejects) and waits for every
   * unbinding. Idempotent.
   * @throws the first failure nobody was told of (an unbinding, a dropped websocket) when no
   *   `onError` was given
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.lifetime.abort(new GsbServiceError({ operation: 'closed' }, 'the storage is closed'));
      for (const entry of [...this.entries]) this.withdraw(entry);
      while (this.background.size > 0) await Promise.allSettled([...this.background]);
      if (this.failures.length > 0) throw this.failures[0]!;
    })();
    return this.closing;
  }

  private async bind(
    components: readonly string[],
    handler: GsbHandler,
    callerSignal: AbortSignal | undefined,
    hooks: { release: () => Promise<void>; dropped: (error: GsbServiceError) => Promise<void> | void },
  ): Promise<Entry> {
    const signal =
      callerSignal === undefined
        ? this.lifetime.signal
        : AbortSignal.any([callerSignal, this.lifetime.signal]);
    signal.throwIfAborted();
    const { api } = this.options;
    const nodeId = await this.identity(signal);
    const fileId = randomId();
    // a creating call: not aborted; if nobody takes its services, they are unbound
    const posting = api.bindServices({ on: `/public/gftp/${fileId}`, components });
    const bound = untilAborted(posting, signal, (dto) => this.track(api.unbindServices(dto.servicesId)));
    this.settle(posting); // after `untilAborted`: close() then also waits for its unbinding
    const { servicesId } = await bound;
    const holder: { entry?: Entry } = {};
    let binding: GsbBinding;
    try {
      binding = await GsbBinding.connect(
        api,
        servicesId,
        this.options.socket,
        handler,
        {
          onError: (error) => this.report(error),
          onDropped: (error) => {
            this.report(error);
            this.track(Promise.resolve(hooks.dropped(error)));
            if (holder.entry !== undefined) this.withdraw(holder.entry);
          },
        },
        { signal, timeoutMs: this.options.timeoutMs },
      );
    } catch (error: unknown) {
      this.track(api.unbindServices(servicesId));
      throw error;
    }
    const entry: Entry = { url: `gftp://${nodeId}/${fileId}`, binding, release: hooks.release };
    holder.entry = entry;
    this.entries.add(entry);
    if (signal.aborted) {
      // closed (or aborted) while the websocket opened
      this.withdraw(entry);
      signal.throwIfAborted();
    }
    return entry;
  }

  private withdraw(entry: Entry): void {
    if (!this.entries.delete(entry)) return;
    this.track(entry.release());
    this.track(entry.binding.close());
  }

  /** The node id: asked once (the ask aborted only by `close()`), awaited until `signal` aborts. */
  private identity(signal: AbortSignal): Promise<string> {
    let asked = this.nodeId;
    if (asked === undefined) {
      const asking = this.options.api.nodeId({ signal: this.lifetime.signal });
      asked = asking;
      this.nodeId = asking;
      asking.catch(() => {
        if (this.nodeId === asking) this.nodeId = undefined; // asked again next time
      });
    }
    return untilAborted(asked, signal, () => undefined);
  }

  private track(work: Promise<void>): void {
    const tracked = work.then(
      () => undefined,
      (error: unknown) => this.report(error instanceof Error ? error : new Error(String(error))),
    );
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
  }

  /** Waits for `work` in `close()`, whatever its outcome (the caller handles it). */
  private settle(work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.background.add(settled);
    void settled.finally(() => this.background.delete(settled));
  }

  private report(error: Error): void {
    if (this.options.onError !== undefined) this.options.onError(error);
    else this.failures.push(error);
  }
}

/**
 * Resolves as `work` does, or rejects with `signal.reason` when it aborts first; a value that
 * arrives after that is handed to `abandoned`.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal, abandoned: (value: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let gaveUp = false;
    const onAbort = (): void => {
      gaveUp = true;
      reject(signal.reason as Error);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (gaveUp) abandoned(value);
        else resolve(value);
      },
      (error: Error) => {
        signal.removeEventListener('abort', onAbort);
        if (!gaveUp) reject(error);
      },
    );
  });
}

/** 32 random hex digits (crypto.getRandomValues: every browser context and Node ≥ 20). */
function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
