import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { type Observable, type SchedulerLike, Subscription, asyncScheduler } from 'rxjs';
import { resolveToken, tokenCheck, withHiddenToken } from '../integrations/auth.js';
import { createStatusEndpoint, unauthorized } from '../integrations/statusEndpoint.js';
import type { StatusEvent, StatusLimits } from '../integrations/statusModel.js';
import { createStatusStore } from '../integrations/statusStore.js';
import { DASHBOARD_HEADERS, DASHBOARD_HTML } from './page.js';
import { pipeSse, sseFrames } from './sse.js';

/** Options of {@link startDashboard}. */
export interface DashboardConfig {
  /**
   * The events to show: `merge(node.events.events$, feed.events$, registry.events$)`. The
   * dashboard subscribes at start and folds them into the status model (see `statusReducer`);
   * start it before the node, since the bus replays nothing.
   */
  events$: Observable<StatusEvent>;
  /** @default 0 (an ephemeral port; read it from `url`) */
  port?: number;
  /** @default '127.0.0.1' (loopback only) */
  host?: string;
  /**
   * The token the page, `/status` and `/events` require (`?token=` or `Authorization: Bearer`).
   * When absent a random one (32 bytes from `crypto`, base64url) is generated.
   */
  token?: string;
  /**
   * Prints the page's URL, with the token, once at start: `true` to stderr, or to a function
   * of yours; `false` prints nothing. Nothing else is ever logged.
   * @default true
   */
  announce?: boolean | ((line: string) => void);
  /** The clock of the timestamps, the throttle and the heartbeat. @default asyncScheduler */
  scheduler?: SchedulerLike;
  /** At most one status update per this many ms per client. @default 250 */
  throttleMs?: number;
  /** A comment line this often keeps idle connections open through proxies. @default 15000 */
  heartbeatMs?: number;
  /** Bounds on the status model's lists. */
  limits?: Partial<StatusLimits>;
  /** Receives errors answered with 500 or that ended a stream; never given the token. */
  onError?: (err: unknown) => void;
}

/** A running dashboard. */
export interface DashboardHandle {
  /** The base URL, e.g. `http://127.0.0.1:41234/` (the page; add `?token=`). */
  readonly url: string;
  /** The token (not enumerable, so printing the handle does not print it). */
  readonly token: string;
  /** Ends every event stream, stops listening, and stops following `events$`. Idempotent. */
  close(): Promise<void>;
}

/**
 * Serves the live dashboard and the JSON status beside it:
 *
 * | Path | Answer |
 * |---|---|
 * | `GET /?token=…` | the page: cards (demands, proposals, negotiations, agreements, activities, spend), spend over time as a chart, the market (each provider's latest offer, its score and stage), runnables, failures |
 * | `GET /status` | the JSON status (`toStatusJson`) |
 * | `GET /events` | Server-Sent Events: `event: status` with the JSON status on connect and as it changes (throttled) |
 *
 * Everything requires the token (`?token=` or `Authorization: Bearer`; 401 otherwise). The page
 * is one self-contained HTML string (no CDN, works offline) under a strict Content-Security-Policy.
 * Binds 127.0.0.1 unless told otherwise; prints its URL once (`announce`) and logs nothing else.
 *
 * @param config - see {@link DashboardConfig}.
 * @returns the running dashboard.
 * @throws {TypeError} on an empty token
 *
 * @example
 * ```ts
 * const feed = new StatusFeed();
 * const dashboard = await startDashboard({ events$: merge(node.events.events$, feed.events$, registry.events$) });
 * // golem-rx dashboard: http://127.0.0.1:41234/?token=…
 * ```
 */
export async function startDashboard(config: DashboardConfig): Promise<DashboardHandle> {
  const { port = 0, host = '127.0.0.1', announce = true, onError } = config;
  const scheduler = config.scheduler ?? asyncScheduler;
  const token = resolveToken(config.token, 'startDashboard');
  const allowed = tokenCheck(token);
  const status = createStatusStore({ events$: config.events$ }, { scheduler, limits: config.limits });
  const endpoint = createStatusEndpoint(status, { token });
  const streams = new Subscription();
  const sse = { throttleMs: config.throttleMs ?? 250, heartbeatMs: config.heartbeatMs ?? 15_000, scheduler };

  const app = Fastify({ logger: false, forceCloseConnections: true });
  const deny = (reply: FastifyReply): FastifyReply => send(reply, unauthorized());

  app.get('/', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!allowed(request.headers.authorization, request.url)) return deny(reply);
    return reply.code(200).headers(DASHBOARD_HEADERS).send(DASHBOARD_HTML);
  });
  app.get('/status', async (request: FastifyRequest, reply: FastifyReply) =>
    send(reply, endpoint.handle({ authorization: request.headers.authorization, url: request.url })),
  );
  app.get('/events', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!allowed(request.headers.authorization, request.url)) return deny(reply);
    reply.hijack();
    const stream = pipeSse(sseFrames(status.state$, sse), reply.raw, (err) => onError?.(err));
    streams.add(stream);
    stream.add(() => streams.remove(stream));
    return reply;
  });
  app.setErrorHandler((err, _request, reply) => {
    onError?.(err);
    return reply.code(500).send({ error: 'Internal', message: 'Internal error' });
  });

  try {
    await app.listen({ port, host });
  } catch (err) {
    status.close();
    throw err;
  }
  const address = app.server.address();
  if (address === null || typeof address === 'string') {
    status.close();
    await app.close();
    throw new TypeError(`startDashboard: unexpected listen address ${String(address)}`);
  }
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/`;
  if (announce !== false) {
    const line = `golem-rx dashboard: ${url}?token=${encodeURIComponent(token)}`;
    if (announce === true) process.stderr.write(`${line}\n`);
    else announce(line);
  }

  let closing: Promise<void> | undefined;
  const handle = {
    url,
    close: (): Promise<void> => {
      closing ??= (async () => {
        streams.unsubscribe();
        status.close();
        await app.close();
      })();
      return closing;
    },
  };
  return withHiddenToken(handle, token);
}

function send(
  reply: FastifyReply,
  answer: { status: number; headers: Readonly<Record<string, string>>; body: string },
): FastifyReply {
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}
