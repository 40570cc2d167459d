/**
 * The HTTP server of devnet (fastify 5): JSON bodies parsed leniently (an empty body is no
 * body, as yagna allows for optional `Reason`s) but nested at most 128 levels (serde_json's
 * recursion limit: deeper is a 400, as in yagna), yagna's CORS (preflights answered before the
 * app-key check, see cors.ts), yagna's app-key check with its text/plain 401s, global latency and
 * per-endpoint HTTP faults, and yagna-style `{"message"}` errors.
 */
import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Subscription, timer, type SchedulerLike } from 'rxjs';
import { createCors } from './cors.js';
import { isDevnetHttpError, DevnetHttpError } from './errors/DevnetHttpError.js';
import type { DevnetFaultPlan } from './faults.js';
import { MAX_TIMER_MS, queryParam } from './http.js';
import { jsonDepthExceededAt, MAX_JSON_DEPTH } from './jsonDepth.js';

/** Options of {@link createDevnetServer}. */
export interface DevnetServerOptions {
  readonly appKey: string;
  /** Origins allowed to call from a web page (`*`: any), as yagna's `YAGNA_API_ALLOW_ORIGIN`. */
  readonly allowOrigin: readonly string[];
  /** Latency added to every request, ms. */
  readonly latencyMs: number;
  readonly faults: DevnetFaultPlan;
  readonly scheduler: SchedulerLike;
  /** fastify's logger (off by default: devnet must never be what limits a benchmark). */
  readonly logger: boolean;
}

/** Request counters of the server (stats). */
export interface ServerCounters {
  total: number;
  unauthorized: number;
  faultsInjected: number;
}

/** Paths served without an app key, as yagna (version) and the image registry do. */
export function isPublicPath(path: string): boolean {
  return path === '/version/get' || path.startsWith('/v1/image/');
}

/** Creates the fastify instance with devnet's parsers, hooks and error handling. */
export function createDevnetServer(options: DevnetServerOptions): {
  app: FastifyInstance;
  counters: ServerCounters;
} {
  const app = Fastify({
    logger: options.logger,
    forceCloseConnections: true,
    bodyLimit: 16 * 1024 * 1024,
    routerOptions: { maxParamLength: 512 },
  });
  const counters: ServerCounters = { total: 0, unauthorized: 0, faultsInjected: 0 };
  const expectedKey = Buffer.from(options.appKey, 'utf8');
  const cors = createCors(options.allowOrigin);
  const sleepers = new Set<() => void>();
  /** Waits on the devnet scheduler; ends early when the client goes away or the server closes. */
  const sleep = (ms: number, reply: FastifyReply): Promise<void> =>
    new Promise<void>((resolve) => {
      const raw = reply.raw;
      const subscription = new Subscription();
      const done = (): void => {
        subscription.unsubscribe();
        raw.off('close', done);
        sleepers.delete(done);
        resolve();
      };
      raw.once('close', done);
      sleepers.add(done);
      subscription.add(timer(Math.min(ms, MAX_TIMER_MS), options.scheduler).subscribe({ next: done }));
    });
  app.addHook('onClose', async () => {
    for (const wake of [...sleepers]) wake();
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    const tooDeep = jsonDepthExceededAt(text);
    if (tooDeep !== undefined) {
      done(
        new DevnetHttpError(
          400,
          `Invalid JSON body: recursion limit exceeded (arrays and objects nested deeper than ${MAX_JSON_DEPTH} levels) at position ${tooDeep}`,
        ),
      );
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(
        new DevnetHttpError(400, `Invalid JSON body: ${err instanceof Error ? err.message : String(err)}`),
      );
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    counters.total += 1;
    if (options.latencyMs > 0) await sleep(options.latencyMs, reply);
    const preflight = cors.answerPreflight(request, reply);
    if (preflight !== undefined) return preflight;
    const path = pathOf(request);
    if (!isPublicPath(path)) {
      const key = presentedKey(request);
      if (key === undefined || !sameKey(key, expectedKey)) {
        counters.unauthorized += 1;
        return reply
          .code(401)
          .type('text/plain; charset=utf-8')
          .send(key === undefined ? 'Missing application key' : 'Invalid application key');
      }
    }
    cors.decorate(request, reply);
    const fault = options.faults.matchHttp(request.method, path);
    if (fault !== undefined) {
      if (fault.latencyMs > 0) await sleep(fault.latencyMs, reply);
      if (fault.status !== undefined) {
        counters.faultsInjected += 1;
        return reply.code(fault.status).send({ message: `devnet injected fault: HTTP ${fault.status}` });
      }
    }
    return undefined;
  });

  app.setErrorHandler((err: unknown, _request, reply) => {
    if (isDevnetHttpError(err)) return reply.code(err.status).send({ message: err.message });
    const statusCode = (err as { statusCode?: unknown } | null)?.statusCode;
    const status = typeof statusCode === 'number' && statusCode >= 400 && statusCode < 600 ? statusCode : 500;
    return reply.code(status).send({ message: err instanceof Error ? err.message : String(err) });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ message: `No such endpoint: ${request.method} ${pathOf(request)}` }),
  );

  return { app, counters };
}

function pathOf(request: FastifyRequest): string {
  const q = request.url.indexOf('?');
  return q < 0 ? request.url : request.url.slice(0, q);
}

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (m !== null) return m[1];
  }
  const token = queryParam(request, 'authToken');
  return token === undefined || token === '' ? undefined : token;
}

function sameKey(presented: string, expected: Buffer): boolean {
  const given = Buffer.from(presented, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
