import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveYagnaConfig } from '../../src/api/config.js';
import type { YagnaExchange } from '../../src/api/exchange.js';
import { backoffMs, isTransient } from '../../src/api/http.js';
import { createYagnaApi } from '../../src/api/index.js';
import { YagnaBadRequestError } from '../../src/api/errors/YagnaBadRequestError.js';
import { YagnaNetworkError } from '../../src/api/errors/YagnaNetworkError.js';
import { YagnaNotFoundError } from '../../src/api/errors/YagnaNotFoundError.js';
import { isYagnaServerError, YagnaServerError } from '../../src/api/errors/YagnaServerError.js';
import { isYagnaTimeoutError, YagnaTimeoutError } from '../../src/api/errors/YagnaTimeoutError.js';
import { send, startTinyServer, type TinyServer } from './support/tinyServer.js';

let server: TinyServer;
/** Statuses to answer, in order; the last one repeats. `'drop'` destroys the socket. */
let script: (number | 'drop')[] = [200];
let served = 0;

beforeAll(async () => {
  server = await startTinyServer((req, res) => {
    const step = script[Math.min(served, script.length - 1)]!;
    served++;
    if (step === 'drop') {
      res.socket?.destroy();
      return;
    }
    if (step >= 400) send(res, step, { message: `status ${step}` });
    else if (req.path.endsWith('/me')) send(res, step, { identity: '0x1', name: 'n', role: 'manager' });
    else if (req.path.endsWith('/demands') && req.method === 'POST') send(res, step, 'sub-1');
    else send(res, step, []);
  });
});
afterAll(() => server.close());
beforeEach(() => {
  served = 0;
  server.requests.length = 0;
});

const fast = { limit: 3, baseMs: 1, maxMs: 5 };

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('retry of idempotent calls', () => {
  it('retries 503 and 502 on a GET until it succeeds, one exchange per attempt', async () => {
    script = [503, 502, 200];
    const exchanges: YagnaExchange[] = [];
    const api = createYagnaApi({ url: server.url, retry: fast, onExchange: (e) => exchanges.push(e) }, {});
    await expect(api.identity.getIdentity()).resolves.toMatchObject({ identity: '0x1' });
    expect(server.requests).toHaveLength(3);
    expect(exchanges.map((e) => [e.attempt, e.status])).toEqual([
      [1, 503],
      [2, 502],
      [3, 200],
    ]);
  });

  it('gives up after limit retries with the last error', async () => {
    script = [500];
    const api = createYagnaApi({ url: server.url, retry: { ...fast, limit: 2 } }, {});
    expect(isYagnaServerError(await failure(api.market.getDemands()))).toBe(true);
    expect(server.requests).toHaveLength(3);
  });

  it('retries a dropped connection (network failure) and 408 on idempotent calls', async () => {
    script = ['drop', 408, 200];
    const api = createYagnaApi({ url: server.url, retry: fast }, {});
    await expect(api.payment.releaseAllocation('al-1')).resolves.toBeUndefined();
    expect(server.requests.map((r) => r.method)).toEqual(['DELETE', 'DELETE', 'DELETE']);
  });

  it('never retries a non-idempotent POST', async () => {
    script = [503, 200];
    const api = createYagnaApi({ url: server.url, retry: fast }, {});
    expect(
      isYagnaServerError(await failure(api.market.subscribeDemand({ properties: {}, constraints: '()' }))),
    ).toBe(true);
    script = ['drop', 200];
    served = 0;
    await failure(api.market.counterProposalDemand('s', 'p', { properties: {}, constraints: '()' }));
    expect(server.requests).toHaveLength(2);
  });

  it('never retries long-poll event calls (the sources layer owns their backoff)', async () => {
    script = [503];
    const api = createYagnaApi({ url: server.url, retry: fast }, {});
    await failure(api.market.collectOffers('s', { timeout: 0 }));
    await failure(api.market.collectAgreementEvents({ timeout: 0 }));
    await failure(api.payment.getInvoiceEvents({ timeout: 0 }));
    expect(server.requests).toHaveLength(3);
  });

  it('retries waitForApproval on 503 but answers its 408 at once', async () => {
    script = [503, 204];
    const api = createYagnaApi({ url: server.url, retry: fast }, {});
    await expect(api.market.waitForApproval('a1', { timeout: 1 })).resolves.toBeUndefined();
    expect(server.requests).toHaveLength(2);
    script = [408, 204];
    served = 0;
    server.requests.length = 0;
    expect(isYagnaTimeoutError(await failure(api.market.waitForApproval('a1', { timeout: 1 })))).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('does not retry 4xx answers', async () => {
    script = [404, 200];
    const api = createYagnaApi({ url: server.url, retry: fast }, {});
    await failure(api.market.getAgreement('a1'));
    expect(server.requests).toHaveLength(1);
  });

  it('stops retrying when the signal aborts during backoff', async () => {
    script = [503];
    const api = createYagnaApi({ url: server.url, retry: { limit: 5, baseMs: 60_000, maxMs: 60_000 } }, {});
    const controller = new AbortController();
    const call = failure(api.market.getDemands({ signal: controller.signal }));
    await server.waitForRequests(1);
    const reason = new Error('stop');
    controller.abort(reason);
    expect(await call).toBe(reason);
    expect(server.requests).toHaveLength(1);
  });

  it('is off with retry: false', async () => {
    script = [503, 200];
    const api = createYagnaApi({ url: server.url, retry: false }, {});
    await failure(api.market.getDemands());
    expect(server.requests).toHaveLength(1);
  });
});

describe('backoff and transient failures', () => {
  it('grows exponentially, capped, jittered to [1/2, 1] of the step', () => {
    const c = { baseMs: 100, maxMs: 1_000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, c, () => 1))).toEqual([100, 200, 400, 800, 1_000]);
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, c, () => 0))).toEqual([50, 100, 200, 400, 500]);
    expect(backoffMs(30, c, () => 0.5)).toBe(750);
  });

  it('classifies failures per policy', () => {
    const server = (s: number) => new YagnaServerError('x', { status: s });
    const timeout408 = new YagnaTimeoutError('x', { status: 408 });
    const clientTimeout = new YagnaTimeoutError('x', {});
    const net = new YagnaNetworkError('x');
    expect(
      [server(500), server(502), server(503), timeout408, clientTimeout, net].map((e) =>
        isTransient(e, 'idempotent'),
      ),
    ).toEqual([true, true, true, true, true, true]);
    expect(
      [server(503), timeout408, new YagnaTimeoutError('x', { status: 504 }), clientTimeout, net].map((e) =>
        isTransient(e, 'waiting'),
      ),
    ).toEqual([true, false, false, true, true]);
    expect([server(503), net, clientTimeout].some((e) => isTransient(e, 'never'))).toBe(false);
    expect(isTransient(new YagnaNotFoundError('x', { status: 404 }), 'idempotent')).toBe(false);
    expect(isTransient(new YagnaBadRequestError('x', { status: 400 }), 'idempotent')).toBe(false);
    expect(isTransient(server(501), 'idempotent')).toBe(false);
    expect(resolveYagnaConfig({}, {}).retry.limit).toBeGreaterThan(0);
  });
});
