import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveYagnaConfig } from '../../src/api/config.js';
import { clientTimeoutMs } from '../../src/api/http.js';
import { createYagnaApi } from '../../src/api/index.js';
import { isYagnaTimeoutError } from '../../src/api/errors/YagnaTimeoutError.js';
import { send, startTinyServer, type TinyServer } from './support/tinyServer.js';

let server: TinyServer;
/** `hold`: never answer; `late`: answer after `lateMs`; `ok`: answer now; `404`: answer 404 now. */
let mode: 'hold' | 'late' | 'ok' | '404' | '503' = 'ok';
let lateMs = 0;

beforeAll(async () => {
  server = await startTinyServer((_req, res) => {
    if (mode === 'hold') return;
    if (mode === '404') return send(res, 404, { message: null });
    if (mode === '503') return send(res, 503, { message: 'busy' });
    if (mode === 'late') {
      setTimeout(() => send(res, 200, []), lateMs);
      return;
    }
    send(res, 200, []);
  });
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('abort', () => {
  it('aborts an in-flight long-poll: the call rejects with the reason and the server sees the socket close', async () => {
    mode = 'hold';
    const api = createYagnaApi({ url: server.url }, {});
    const controller = new AbortController();
    const before = server.abandoned();
    const call = failure(
      api.market.collectOffers('s1', { timeout: 30, maxEvents: 5 }, { signal: controller.signal }),
    );
    await server.waitForRequests(1);
    expect(server.requests[0]!.query.get('timeout')).toBe('30');
    expect(server.requests[0]!.query.get('maxEvents')).toBe('5');
    controller.abort();
    const err = await call;
    expect(err).toBe(controller.signal.reason);
    expect((err as Error).name).toBe('AbortError');
    await server.waitForAbandoned(before + 1);
  });

  it('does not even send a request when the signal is already aborted', async () => {
    const api = createYagnaApi({ url: server.url }, {});
    const reason = new Error('gone');
    expect(await failure(api.market.getDemands({ signal: AbortSignal.abort(reason) }))).toBe(reason);
    expect(server.requests).toHaveLength(0);
  });
});

describe('client timeout', () => {
  it('times out a call the server holds, and closes the socket', async () => {
    mode = 'hold';
    const api = createYagnaApi({ url: server.url, retry: false }, {});
    const before = server.abandoned();
    const err = await failure(api.market.getDemands({ timeoutMs: 100 }));
    expect(isYagnaTimeoutError(err)).toBe(true);
    expect(isYagnaTimeoutError(err) && [err.clientSide, err.status, err.timeoutMs]).toEqual([
      true,
      undefined,
      100,
    ]);
    await server.waitForAbandoned(before + 1);
  });

  it('keeps a long-poll alive above its server-side timeout even with a short client timeout', async () => {
    mode = 'late';
    lateMs = 200; // the "server" answers its long-poll after 200 ms, beyond the 50 ms client default
    const api = createYagnaApi({ url: server.url, retry: false, timeoutMs: 50 }, {});
    await expect(api.market.collectOffers('s1', { timeout: 1 })).resolves.toEqual([]);
    await expect(api.payment.getDebitNoteEvents({ timeout: 1 })).resolves.toEqual([]);
    await expect(api.market.collectOffers('s1', { timeout: 1 }, { timeoutMs: 20 })).resolves.toEqual([]);
    // ...whereas a plain call with the same client timeout does time out.
    expect(isYagnaTimeoutError(await failure(api.market.getDemands()))).toBe(true);
  });

  it('computes the client timeout as max(call timeout, server timeout + margin)', () => {
    const config = resolveYagnaConfig({ timeoutMs: 10_000, longPollMarginMs: 5_000 }, {});
    const poll = { api: 'market', method: 'GET', path: '/x', retry: 'never' } as const;
    expect(clientTimeoutMs(config, poll)).toBe(10_000);
    expect(clientTimeoutMs(config, { ...poll, serverTimeoutSec: 5 })).toBe(10_000);
    expect(clientTimeoutMs(config, { ...poll, serverTimeoutSec: 60 })).toBe(65_000);
    expect(clientTimeoutMs(config, { ...poll, serverTimeoutSec: 0.5 }, { timeoutMs: 100 })).toBe(5_500);
    expect(() => clientTimeoutMs(config, poll, { timeoutMs: 0 })).toThrow(/timeoutMs/);
  });

  it('sends the default server timeout (5 s) on long-polls', async () => {
    mode = 'ok';
    const api = createYagnaApi({ url: server.url }, {});
    await api.market.collectAgreementEvents({
      afterTimestamp: new Date('2024-01-02T03:04:05Z'),
      appSessionId: 'sess',
    });
    const q = server.requests[0]!.query;
    expect([q.get('timeout'), q.get('afterTimestamp'), q.get('appSessionId')]).toEqual([
      '5',
      '2024-01-02T03:04:05.000Z',
      'sess',
    ]);
  });
});

describe('long-lived signals', () => {
  it('accumulate no abort listeners over many calls (successes, errors, retries)', async () => {
    const api = createYagnaApi({ url: server.url, retry: { limit: 1, baseMs: 0, maxMs: 0 } }, {});
    const controller = new AbortController();
    const { signal } = controller;
    mode = 'ok';
    for (let i = 0; i < 100; i++) await api.market.getDemands({ signal });
    mode = '404';
    for (let i = 0; i < 50; i++) await failure(api.market.getAgreement('a', { signal }));
    mode = '503';
    for (let i = 0; i < 20; i++) await failure(api.market.getDemands({ signal }));
    expect(server.requests).toHaveLength(100 + 50 + 20 * 2);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);

    // While calls are in flight there is exactly one listener each, so the check above can fail.
    mode = 'hold';
    const seen = server.requests.length;
    const inFlight = [1, 2, 3].map(() => failure(api.market.collectOffers('s', { timeout: 60 }, { signal })));
    await server.waitForRequests(seen + 3);
    expect(getEventListeners(signal, 'abort')).toHaveLength(3);
    controller.abort();
    await Promise.all(inFlight);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });
});
