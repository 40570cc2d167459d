/**
 * devnet's CORS over real loopback HTTP, as yagna answers with `YAGNA_API_ALLOW_ORIGIN`
 * (actix-cors 0.6: any method, any header, max age 3600 s, no credentials, a mismatched origin
 * passed through without CORS headers, 401s without them). The browser side is proven by the
 * example page's Chromium test (test/browser-example).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDevnetConfigError, startDevnet, type DevnetHandle } from '../src/index.js';
import { parseAllowOrigin } from '../src/cors.js';
import { devnetClient, MARKET, newAgreement, type Client } from './market/helpers.js';

const PAGE = 'http://127.0.0.1:5173';
const OTHER = 'http://evil.example:8080';
const VARY = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers';

/** A preflight as Chromium sends it before a JSON POST with a bearer key: no key, no body. */
function preflight(devnet: DevnetHandle, path: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${devnet.url}${path}`, { method: 'OPTIONS', headers });
}

const corsHeaders = (res: Response): Record<string, string | null> => ({
  origin: res.headers.get('access-control-allow-origin'),
  methods: res.headers.get('access-control-allow-methods'),
  headers: res.headers.get('access-control-allow-headers'),
  maxAge: res.headers.get('access-control-max-age'),
  credentials: res.headers.get('access-control-allow-credentials'),
  expose: res.headers.get('access-control-expose-headers'),
});

describe('devnet CORS with allowOrigin (YAGNA_API_ALLOW_ORIGIN)', () => {
  let c: Client;
  const key = (extra: Record<string, string> = {}) => ({
    authorization: `Bearer ${c.devnet.appKey}`,
    ...extra,
  });
  beforeAll(async () => {
    c = await devnetClient({ providers: 2, allowOrigin: [PAGE, 'http://localhost:5173'] });
  });
  afterAll(() => c.devnet.stop());

  it('answers a preflight from an allowed origin without an app key: origin, methods and headers echoed', async () => {
    const unauthorized = c.devnet.stats().requests.unauthorized;
    const res = await preflight(c.devnet, `${MARKET}/demands`, {
      origin: PAGE,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    const cors = corsHeaders(res);
    expect(cors).toMatchObject({
      origin: PAGE,
      headers: 'authorization,content-type',
      maxAge: '3600',
      credentials: null,
    });
    expect(cors.methods?.split(', ')).toEqual(
      expect.arrayContaining(['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH']),
    );
    expect(res.headers.get('vary')).toBe(VARY);
    expect(c.devnet.stats().requests.unauthorized).toBe(unauthorized);
  });

  it('answers a preflight for any path, the other allowed origin, and no requested headers', async () => {
    const res = await preflight(c.devnet, '/payment-api/v1/allocations/some-id', {
      origin: 'http://localhost:5173',
      'access-control-request-method': 'DELETE',
    });
    expect(res.status).toBe(200);
    expect(corsHeaders(res)).toMatchObject({ origin: 'http://localhost:5173', headers: null });
  });

  it('refuses a preflight from an origin not allowed, without an origin, or for an unknown method (400, no CORS header)', async () => {
    const cases: [Record<string, string>, string][] = [
      [
        { origin: OTHER, 'access-control-request-method': 'GET' },
        'Origin is not allowed to make this request',
      ],
      [
        { 'access-control-request-method': 'GET' },
        'Request header `Origin` is required but was not provided',
      ],
      [{ origin: PAGE, 'access-control-request-method': 'put' }, 'Requested method is not allowed'],
    ];
    for (const [headers, message] of cases) {
      const res = await preflight(c.devnet, '/me', headers);
      expect(res.status, message).toBe(400);
      expect(await res.text()).toBe(message);
      expect(corsHeaders(res)).toEqual({
        origin: null,
        methods: null,
        headers: null,
        maxAge: null,
        credentials: null,
        expose: null,
      });
    }
  });

  it('passes an OPTIONS without Access-Control-Request-Method on, as any request (the app key is checked)', async () => {
    const res = await preflight(c.devnet, '/me', { origin: PAGE });
    expect(res.status).toBe(401);
  });

  it('echoes an allowed origin on actual requests, with Vary, and no credentials or exposed headers', async () => {
    const res = await fetch(`${c.devnet.url}/me`, { headers: key({ origin: PAGE }) });
    expect(res.status).toBe(200);
    expect(corsHeaders(res)).toEqual({
      origin: PAGE,
      methods: null,
      headers: null,
      maxAge: null,
      credentials: null,
      expose: null,
    });
    expect(res.headers.get('vary')).toBe(VARY);

    const created = await fetch(`${c.devnet.url}/payment-api/v1/allocations`, {
      method: 'POST',
      headers: key({ origin: PAGE, 'content-type': 'application/json' }),
      body: JSON.stringify({ totalAmount: '1', paymentPlatform: 'erc20-holesky-tglm' }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('access-control-allow-origin')).toBe(PAGE);
  });

  it('serves an origin not allowed, or no origin, without Access-Control-Allow-Origin (the browser blocks it)', async () => {
    const other = await fetch(`${c.devnet.url}/me`, { headers: key({ origin: OTHER }) });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('vary')).toBe(VARY);
    const none = await fetch(`${c.devnet.url}/me`, { headers: key() });
    expect(none.status).toBe(200);
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
    expect(none.headers.get('vary')).toBe(VARY);
  });

  it("gives a 401 no CORS header, as yagna's app-key check fails inside its CORS middleware", async () => {
    const requests: Record<string, string>[] = [
      { origin: PAGE },
      { origin: PAGE, authorization: 'Bearer wrong' },
    ];
    for (const headers of requests) {
      const res = await fetch(`${c.devnet.url}/me`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('vary')).toBeNull();
    }
  });

  it('puts the header on errors, public paths and injected faults too', async () => {
    const notFound = await fetch(`${c.devnet.url}${MARKET}/nothing-here`, { headers: key({ origin: PAGE }) });
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('access-control-allow-origin')).toBe(PAGE);
    const badJson = await fetch(`${c.devnet.url}${MARKET}/demands`, {
      method: 'POST',
      headers: key({ origin: PAGE, 'content-type': 'application/json' }),
      body: '{not json',
    });
    expect(badJson.status).toBe(400);
    expect(badJson.headers.get('access-control-allow-origin')).toBe(PAGE);
    const version = await fetch(`${c.devnet.url}/version/get`, { headers: { origin: PAGE } });
    expect(version.status).toBe(200);
    expect(version.headers.get('access-control-allow-origin')).toBe(PAGE);
    const image = await fetch(`${c.devnet.url}/v1/image/info?tag=golem/alpine:latest`, {
      headers: { origin: PAGE },
    });
    expect(image.status).toBe(200);
    expect(image.headers.get('access-control-allow-origin')).toBe(PAGE);

    c.devnet.faults.add({ kind: 'http', endpoint: 'GET /me', status: 503, count: { times: 1 } });
    const faulted = await fetch(`${c.devnet.url}/me`, { headers: key({ origin: PAGE }) });
    expect(faulted.status).toBe(503);
    expect(faulted.headers.get('access-control-allow-origin')).toBe(PAGE);
  });

  it('puts it on the exec-results event stream (a hijacked reply)', async () => {
    const agreementId = await newAgreement(c, 'cors-session');
    expect((await c.post(`${MARKET}/agreements/${agreementId}/wait?timeout=5`)).status).toBe(204);
    const activity = await c.post<{ activityId: string }>('/activity-api/v1/activity?timeout=5', {
      agreementId,
    });
    expect(activity.status).toBe(200);
    const A = `/activity-api/v1/activity/${activity.body.activityId}`;
    const batch = await c.post<string>(`${A}/exec`, { text: JSON.stringify([{ deploy: {} }]) });
    const abort = new AbortController();
    const stream = await fetch(`${c.devnet.url}${A}/exec/${batch.body}`, {
      headers: key({ origin: PAGE, accept: 'text/event-stream' }),
      signal: abort.signal,
    });
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    expect(stream.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(stream.headers.get('vary')).toBe(VARY);
    abort.abort();
    await c.call('DELETE', `${A}?timeout=5`);
    await c.post(`${MARKET}/agreements/${agreementId}/terminate`, { message: 'done' });
  });
});

describe('devnet CORS options', () => {
  it("with allowOrigin '*', allows any origin and echoes it (never a literal *)", async () => {
    const devnet = await startDevnet({ providers: 0, allowOrigin: '*' });
    try {
      const pre = await preflight(devnet, '/me', { origin: OTHER, 'access-control-request-method': 'GET' });
      expect(pre.status).toBe(200);
      expect(pre.headers.get('access-control-allow-origin')).toBe(OTHER);
      const res = await fetch(`${devnet.url}/me`, {
        headers: { origin: 'null', authorization: `Bearer ${devnet.appKey}` },
      });
      expect(res.headers.get('access-control-allow-origin')).toBe('null');
    } finally {
      await devnet.stop();
    }
  });

  it('allows no cross-origin page by default, as yagna', async () => {
    const devnet = await startDevnet({ providers: 0 });
    try {
      const pre = await preflight(devnet, '/me', { origin: PAGE, 'access-control-request-method': 'GET' });
      expect(pre.status).toBe(400);
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
      const res = await fetch(`${devnet.url}/me`, {
        headers: { origin: PAGE, authorization: `Bearer ${devnet.appKey}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await devnet.stop();
    }
  });

  it.each(['http://127.0.0.1:5173/', 'http://127.0.0.1:5173/app', '127.0.0.1:5173', ''])(
    'refuses allowOrigin %j (it could never match an Origin header) with a DevnetConfigError',
    async (origin) => {
      await expect(startDevnet({ providers: 0, allowOrigin: [origin] })).rejects.toSatisfy(
        (err) => isDevnetConfigError(err) && err.option === 'allowOrigin' && err.value === origin,
      );
    },
  );

  it('parses a comma-separated list, as YAGNA_API_ALLOW_ORIGIN and --allow-origin give it', () => {
    expect(parseAllowOrigin('http://a:1, http://b:2,,')).toEqual(['http://a:1', 'http://b:2']);
    expect(parseAllowOrigin('*')).toEqual(['*']);
    expect(parseAllowOrigin(' ')).toEqual([]);
  });
});
