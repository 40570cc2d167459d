/**
 * One bound set of GSB services and its websocket: yagna relays each request for the services to
 * the websocket, the handler answers it there. Closing unbinds the services (`DELETE`), which
 * makes yagna close the websocket and cancel what is pending.
 *
 * @module
 */
import { GsbServiceError } from './errors/GsbServiceError.js';
import { type GsbMap, type GsbRequest, type GsbValue, decodeGsbRequest, encodeGsbResponse } from './codec.js';
import type { GsbApi } from './gsbApi.js';

/** The websocket subprotocol yagna speaks on a services socket. */
export const GSB_SUBPROTOCOL = 'gsb+flexbuffers';

/** What a socket reports (an adapter over the browser's `WebSocket` or Node's `ws`). */
export interface GsbSocketEvents {
  open(): void;
  /** A frame: binary (an `ArrayBuffer` or bytes) or text. */
  message(data: ArrayBuffer | Uint8Array | string): void;
  close(code: number, reason: string): void;
  /** A failure; its text must not contain the app key. */
  error(message: string): void;
}

/** The socket a binding writes to. */
export interface GsbSocket {
  send(data: Uint8Array): void;
  close(code: number, reason: string): void;
}

/** Opens a websocket to `url` (the services' socket, without the app key) with the GSB subprotocol. */
export type GsbSocketFactory = (url: string, events: GsbSocketEvents) => GsbSocket;

/** A handler's answer: the response's payload, or an error variant (`{ ReadError: '…' }`). */
export type GsbReply = { readonly payload: GsbValue } | { readonly error: GsbMap };

/** Answers one request of the bound services. A throw becomes `{ InternalError: message }`. */
export type GsbHandler = (request: GsbRequest) => GsbReply | Promise<GsbReply>;

/** How a binding reports what went wrong after it opened. */
export interface GsbBindingHooks {
  /** A frame that is not a GSB request, or a response that could not be sent. */
  readonly onError: (error: GsbServiceError) => void;
  /** The websocket closed while the services were bound (called once; the owner withdraws them). */
  readonly onDropped: (error: GsbServiceError) => void;
}

type State = 'connecting' | 'open' | 'closing' | 'closed';

/** One bound set of services with its websocket. */
export class GsbBinding {
  private state: State = 'connecting';
  private socket: GsbSocket | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly api: GsbApi,
    /** yagna's id of the bound services. */
    readonly servicesId: string,
    private readonly handler: GsbHandler,
    private readonly hooks: GsbBindingHooks,
  ) {}

  /**
   * Opens the websocket of services bound as `servicesId`; resolves once it is open. On failure
   * the services stay bound: the caller unbinds them.
   * @throws {GsbServiceError} (`connect`) when yagna refuses the socket or it closes first; the
   *   signal's reason when it aborts
   */
  static connect(
    api: GsbApi,
    servicesId: string,
    factory: GsbSocketFactory,
    handler: GsbHandler,
    hooks: GsbBindingHooks,
    options: { readonly signal?: AbortSignal | undefined; readonly timeoutMs: number },
  ): Promise<GsbBinding> {
    const binding = new GsbBinding(api, servicesId, handler, hooks);
    return new Promise<GsbBinding>((resolve, reject) => {
      const timeout = AbortSignal.timeout(options.timeoutMs);
      const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
      const fail = (error: Error): void => {
        signal.removeEventListener('abort', onAbort);
        binding.state = 'closed';
        binding.socket?.close(1000, 'Not needed');
        reject(error);
      };
      const onAbort = (): void =>
        fail(
          options.signal?.aborted === true
            ? (options.signal.reason as Error)
            : new GsbServiceError(
                { operation: 'connect', servicesId },
                `the websocket did not open within ${options.timeoutMs} ms`,
              ),
        );
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      let lastError = '';
      binding.socket = factory(api.socketUrl(servicesId), {
        open: () => {
          if (binding.state !== 'connecting') return;
          signal.removeEventListener('abort', onAbort);
          binding.state = 'open';
          resolve(binding);
        },
        message: (data) => binding.receive(data),
        error: (message) => {
          lastError = api.redact(message);
        },
        close: (code, reason) => {
          if (binding.state === 'connecting') {
            const why = lastError !== '' ? lastError : `closed (${code}${reason === '' ? '' : ` ${reason}`})`;
            fail(
              new GsbServiceError(
                { operation: 'connect', servicesId, closeCode: code },
                `websocket refused: ${why}`,
              ),
            );
            return;
          }
          binding.dropped(code, reason);
        },
      });
    });
  }

  /** Are the services bound and their socket open? */
  get open(): boolean {
    return this.state === 'open';
  }

  /**
   * Unbinds the services (yagna closes the socket and cancels what is pending), then closes the
   * socket if yagna has not. Idempotent: every call returns the same Promise.
   * @throws {YagnaError} when yagna did not unbind them (`YagnaNotFoundError` when it had already)
   */
  close(options?: { readonly signal?: AbortSignal }): Promise<void> {
    this.closing ??= (async () => {
      this.state = 'closing';
      try {
        await this.api.unbindServices(this.servicesId, options);
      } finally {
        this.state = 'closed';
        this.socket?.close(1000, 'Unbound');
      }
    })();
    return this.closing;
  }

  private dropped(code: number, reason: string): void {
    if (this.state !== 'open') {
      this.state = 'closed';
      return;
    }
    this.state = 'closed';
    this.hooks.onDropped(
      new GsbServiceError(
        { operation: 'connect', servicesId: this.servicesId, closeCode: code },
        `yagna closed the websocket while the services were bound (${code}${reason === '' ? '' : ` ${reason}`})`,
      ),
    );
  }

  private receive(data: ArrayBuffer | Uint8Array | string): void {
    if (this.state !== 'open') return;
    if (typeof data === 'string') {
      this.hooks.onError(
        new GsbServiceError(
          { operation: 'message', servicesId: this.servicesId },
          'a text frame (yagna sends binary)',
        ),
      );
      return;
    }
    let request: GsbRequest;
    try {
      request = decodeGsbRequest(data);
    } catch (error: unknown) {
      const why = error instanceof Error ? error.message.replace(/^GSB message: /, '') : String(error);
      this.hooks.onError(new GsbServiceError({ operation: 'message', servicesId: this.servicesId }, why));
      return;
    }
    void this.answer(request);
  }

  private async answer(request: GsbRequest): Promise<void> {
    let reply: GsbReply;
    try {
      reply = await this.handler(request);
    } catch (error: unknown) {
      reply = { error: { InternalError: error instanceof Error ? error.message : String(error) } };
    }
    if (this.state !== 'open') return;
    try {
      this.socket?.send(encodeGsbResponse({ id: request.id, ...reply }));
    } catch (error: unknown) {
      this.hooks.onError(
        new GsbServiceError(
          { operation: 'message', servicesId: this.servicesId },
          `could not answer ${request.component}: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        ),
      );
    }
  }
}
