/**
 * The transport under every typed yagna function: one ky instance, per-attempt timeout and abort,
 * error mapping, and the one retry layer of the client.
 *
 * Decisions (see docs/api-client.md):
 * - ky is created with `retry: 0`, `timeout: false` and `throwHttpErrors: false`. Retry, timeout and
 *   error mapping live here, in one layer: ky's timeout does not cover the body and ky never
 *   retries POST, and two retry layers multiply attempts.
 * - The client timeout covers request and body. Calls with a server-side `timeout` (long-polls,
 *   ack waits) get a client timeout of at least server timeout + `longPollMarginMs`.
 * - The caller's AbortSignal is forwarded to a per-attempt AbortController by a listener that is
 *   removed when the attempt settles, so a long-lived signal accumulates no listeners.
 * - This is an adapter at the edge: it uses real time (`setTimeout`, `Math.random` for jitter),
 *   never inside Observables. The sources layer wraps these Promises with `defer` + AbortController.
 * - A call aborted by the caller rejects with `signal.reason`, exactly as `fetch` does.
 * - Bodies are read as bytes and parsed by `readBodyBytes`: a large JSON array (a batch of 100
 *   offers) in pieces, never as one string of the whole body (see jsonBody.ts).
 */
import ky from 'ky';
import { YagnaArgumentError } from './errors/YagnaArgumentError.js';
import { YagnaError } from './errors/YagnaError.js';
import { YagnaNetworkError } from './errors/YagnaNetworkError.js';
import { YagnaProtocolError } from './errors/YagnaProtocolError.js';
import { YagnaServerError } from './errors/YagnaServerError.js';
import { YagnaTimeoutError } from './errors/YagnaTimeoutError.js';
import { YAGNA_BASE_PATHS, type YagnaApiName, type YagnaConfig } from './config.js';
import type { YagnaExchange } from './exchange.js';
import { clientTimeoutError, errorFromResponse, networkError, type CallSite } from './httpErrors.js';
import { readBodyBytes } from './jsonBody.js';
import { secretsOf } from './scrub.js';

/** Per-call options of every client function. */
export interface CallOptions {
  /** Aborts the call (including retries and their backoff); the call then rejects with `signal.reason`. */
  signal?: AbortSignal;
  /**
   * Client timeout of one attempt, in ms. For calls with a server-side `timeout` it is raised to at
   * least that timeout plus `longPollMarginMs`.
   */
  timeoutMs?: number;
}

/**
 * Which failures a call may retry.
 * - `idempotent`: network failures, client timeouts, 408, 500, 502, 503, 504 (GET, PUT, DELETE).
 * - `waiting`: like `idempotent`, but 408/504 are answers ("still waiting"), not failures (`waitForApproval`).
 * - `never`: non-idempotent POSTs, and long-polls whose cursor and backoff live in the sources layer.
 */
export type RetryPolicy = 'idempotent' | 'waiting' | 'never';

/** One request, as the typed functions describe it. */
export interface YagnaRequest {
  readonly api: YagnaApiName;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path template under the API's base, e.g. `/demands/{subscriptionId}/events`. */
  readonly path: string;
  readonly params?: Readonly<Record<string, string>>;
  /** Query parameters; `undefined` values are left out. */
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** JSON body; `undefined` sends none. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly retry: RetryPolicy;
  /** The server-side `timeout` (s) the call carries, if any. */
  readonly serverTimeoutSec?: number;
  /** `none`: the success body is ignored (204, `null`, empty). Default `json`. */
  readonly expect?: 'json' | 'none';
}

/** An open event stream: read `response.body`, then `close()` (idempotent) to abort and release. */
export interface OpenStream {
  readonly response: Response;
  /** Aborts the stream and releases the caller's signal. Idempotent. */
  close(): void;
  /** Maps a failure while reading the body to a typed, scrubbed error (`YagnaNetworkError`). */
  toError(err: unknown): YagnaError;
}

/** The transport the typed API groups are built on. */
export interface YagnaHttp {
  /** The configuration in force. */
  readonly config: YagnaConfig;
  /** Sends a request (retrying by its policy); resolves with the parsed JSON body (`undefined` if empty). */
  call(request: YagnaRequest, options?: CallOptions): Promise<unknown>;
  /** Opens a streaming response (no retry); the client timeout covers only the wait for headers. */
  open(request: YagnaRequest, options?: CallOptions): Promise<OpenStream>;
}

const BASES: Record<YagnaApiName, (c: YagnaConfig) => string> = {
  market: (c) => c.marketUrl,
  activity: (c) => c.activityUrl,
  payment: (c) => c.paymentUrl,
  identity: (c) => c.identityUrl,
  root: (c) => c.apiUrl,
};

function fillPath(template: string, params: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (typeof value !== 'string' || value === '') {
      throw new YagnaArgumentError(`${name} must be a non-empty string`, { argument: name });
    }
    return encodeURIComponent(value);
  });
}

/** Jittered, capped exponential backoff before retry number `retry` (1-based): in [½, 1] of min(max, base·2^(retry−1)). */
export function backoffMs(
  retry: number,
  config: { baseMs: number; maxMs: number },
  random = Math.random,
): number {
  const ceiling = Math.min(config.maxMs, config.baseMs * 2 ** (retry - 1));
  return ceiling / 2 + (random() * ceiling) / 2;
}

/** The client timeout of one attempt: the per-call or default timeout, raised above a server-side timeout. */
export function clientTimeoutMs(config: YagnaConfig, request: YagnaRequest, options?: CallOptions): number {
  const base = options?.timeoutMs ?? config.timeoutMs;
  if (!Number.isFinite(base) || base <= 0) {
    throw new YagnaArgumentError('timeoutMs must be a positive number', { argument: 'timeoutMs' });
  }
  const server = request.serverTimeoutSec;
  return server === undefined ? base : Math.max(base, server * 1000 + config.longPollMarginMs);
}

/** Is this failure worth another attempt under this policy? */
export function isTransient(err: unknown, policy: RetryPolicy): boolean {
  if (policy === 'never') return false;
  if (err instanceof YagnaNetworkError) return true;
  if (err instanceof YagnaTimeoutError) return err.clientSide || policy === 'idempotent';
  return err instanceof YagnaServerError && (err.status === 500 || err.status === 502 || err.status === 503);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Creates the transport over one ky instance.
 * @param config a resolved configuration (see {@link resolveYagnaConfig})
 * @returns the transport the API groups use
 */
export function createYagnaHttp(config: YagnaConfig): YagnaHttp {
  const client = ky.create({ retry: 0, timeout: false, throwHttpErrors: false });
  const secrets = secretsOf(config.appKey, [
    config.apiUrl,
    config.marketUrl,
    config.activityUrl,
    config.paymentUrl,
    config.identityUrl,
  ]);

  function prepare(request: YagnaRequest) {
    const params = request.params ?? {};
    const site: CallSite = {
      endpoint: `${request.method} ${YAGNA_BASE_PATHS[request.api]}${request.path}`,
      params,
      secrets,
    };
    const url = new URL(BASES[request.api](config));
    url.pathname = url.pathname.replace(/\/+$/, '') + fillPath(request.path, params);
    const query: Record<string, string> = {};
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value === undefined) continue;
      url.searchParams.set(key, String(value));
      query[key] = String(value);
    }
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    if (config.appKey !== undefined) headers.authorization = `Bearer ${config.appKey}`;
    const exchange = (
      attempt: number,
      status: number | undefined,
      contentType: string,
      responseBody: unknown,
    ) => {
      const record: YagnaExchange = {
        method: request.method,
        api: request.api,
        pathTemplate: `${YAGNA_BASE_PATHS[request.api]}${request.path}`,
        params,
        query,
        requestBody: request.body,
        status,
        contentType,
        responseBody,
        attempt,
      };
      config.onExchange?.(record);
    };
    return { site, url: url.toString(), headers, exchange };
  }

  type Prepared = ReturnType<typeof prepare>;

  /** One attempt. With `stream`, resolves after the headers and hands the body to the caller. */
  async function attempt(
    request: YagnaRequest,
    prepared: Prepared,
    timeoutMs: number,
    attemptNo: number,
    signal: AbortSignal | undefined,
    stream: boolean,
  ): Promise<{ value: unknown; open?: OpenStream }> {
    signal?.throwIfAborted();
    const controller = new AbortController();
    let timedOut = false;
    const forward = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', forward, { once: true });
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', forward);
    };
    let status: number | undefined;
    let bytes: Uint8Array;
    let contentType = '';
    try {
      const response = await client(prepared.url, {
        method: request.method,
        headers: prepared.headers,
        ...(request.body === undefined ? {} : { json: request.body }),
        signal: controller.signal,
      });
      status = response.status;
      contentType = response.headers.get('content-type') ?? '';
      if (stream && response.ok) {
        clearTimeout(timer);
        prepared.exchange(attemptNo, status, contentType, undefined);
        const close = (): void => {
          release();
          controller.abort();
        };
        const toError = (err: unknown): YagnaError =>
          err instanceof YagnaError ? err : networkError(prepared.site, err);
        return { value: undefined, open: { response, close, toError } };
      }
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (err) {
      release();
      prepared.exchange(attemptNo, status, contentType, undefined);
      signal?.throwIfAborted();
      if (timedOut) throw clientTimeoutError(prepared.site, timeoutMs);
      throw networkError(prepared.site, err);
    }
    release();
    const body = readBodyBytes(bytes);
    prepared.exchange(attemptNo, status, contentType, body.value);
    if (status < 200 || status > 299) {
      throw errorFromResponse(status, body, prepared.site, config.appKey !== undefined);
    }
    if ((request.expect ?? 'json') === 'json' && !body.empty && !body.isJson) {
      throw new YagnaProtocolError(
        `${prepared.site.endpoint} answered ${status} with a body that is not JSON`,
        {
          endpoint: prepared.site.endpoint,
          status,
          params: prepared.site.params,
        },
      );
    }
    return { value: (request.expect ?? 'json') === 'json' ? body.value : undefined };
  }

  async function call(request: YagnaRequest, options?: CallOptions): Promise<unknown> {
    const prepared = prepare(request);
    const timeoutMs = clientTimeoutMs(config, request, options);
    const signal = options?.signal;
    for (let attemptNo = 1; ; attemptNo++) {
      try {
        return (await attempt(request, prepared, timeoutMs, attemptNo, signal, false)).value;
      } catch (err) {
        if (
          !(err instanceof YagnaError) ||
          attemptNo > config.retry.limit ||
          !isTransient(err, request.retry)
        ) {
          throw err;
        }
        await sleep(backoffMs(attemptNo, config.retry), signal);
      }
    }
  }

  async function open(request: YagnaRequest, options?: CallOptions): Promise<OpenStream> {
    const prepared = prepare(request);
    const result = await attempt(
      request,
      prepared,
      clientTimeoutMs(config, request, options),
      1,
      options?.signal,
      true,
    );
    if (result.open === undefined) {
      throw new YagnaProtocolError(`${prepared.site.endpoint} did not open a stream`, {
        endpoint: prepared.site.endpoint,
        params: prepared.site.params,
      });
    }
    return result.open;
  }

  return { config, call, open };
}
