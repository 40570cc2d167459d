import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  InMemoryPromiseStore,
  PromiseRegistry,
  startPromiseServer,
  type PromiseId,
  type PromiseServerHandle,
} from '../../src/promises/index.js';
import { text, utf8 } from './fixtures/bytes.js';

let registry: PromiseRegistry;
let server: PromiseServerHandle;

beforeEach(async () => {
  registry = new PromiseRegistry(new InMemoryPromiseStore(), { workerName: 'req-1' });
  server = await startPromiseServer({ registry });
});
afterEach(async () => {
  await server.close();
  await registry.close();
});

const complete = (id: PromiseId, data: unknown, headers: Record<string, string> = auth()) =>
  fetch(server.completionUrl(id), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ oplogIdx: id.oplogIdx, data }),
    signal: AbortSignal.timeout(10_000),
  });
const auth = (token = server.token) => ({ authorization: `Bearer ${token}` });

describe('startPromiseServer', () => {
  it('listens on loopback with a random token', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const other = await startPromiseServer({ registry });
    expect(other.token).not.toBe(server.token);
    await other.close();
    // printing the handle does not print the token
    expect(inspect(server)).not.toContain(server.token);
    expect(JSON.stringify(server)).not.toContain(server.token);
  });

  it('answers 401 without the token or with a wrong one, and completes nothing', async () => {
    const id = await registry.createPromise();
    for (const headers of [{}, auth('wrong'), { authorization: server.token }]) {
      const res = await complete(id, [1], headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await res.text()).not.toContain(server.token);
    }
    const state = await fetch(server.stateUrl(id), { signal: AbortSignal.timeout(10_000) });
    expect(state.status).toBe(401);
    expect(registry.pollPromise(id)).toBeUndefined();
  });

  it('completes with 200 true, then 200 false for the second writer, and wakes the waiter', async () => {
    const id = await registry.createPromise();
    const waiting = registry.awaitPromiseValue(id);
    const first = await complete(id, [...utf8('approved')]);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await first.json()).toBe(true);
    const second = await complete(id, [...utf8('denied')]);
    expect(await second.json()).toBe(false);
    expect(text(await waiting)).toBe('approved');
  });

  it('lets exactly one of many concurrent HTTP completions win', async () => {
    const id = await registry.createPromise();
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => complete(id, [i]).then((r) => r.json() as Promise<boolean>)),
    );
    expect(answers.filter(Boolean)).toHaveLength(1);
    // the stored payload is the winner's: request i sent [i]
    expect([...registry.pollPromise(id)!]).toEqual([answers.indexOf(true)]);
  });

  it('answers 404 for an unknown promise, a deleted one, or another worker', async () => {
    const id = await registry.createPromise();
    const unknown = await complete({ workerName: 'req-1', oplogIdx: 42 }, [1]);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: 'PromiseNotFound' });
    expect((await complete({ workerName: 'someone-else', oplogIdx: id.oplogIdx }, [1])).status).toBe(404);
    await registry.deletePromise(id);
    expect((await complete(id, [1])).status).toBe(404);
    const state = await fetch(server.stateUrl(id), { headers: auth(), signal: AbortSignal.timeout(10_000) });
    expect(state.status).toBe(404);
  });

  it('answers 400 for a malformed body and completes nothing', async () => {
    const id = await registry.createPromise();
    const bodies = [
      { oplogIdx: id.oplogIdx, data: [256] },
      { oplogIdx: id.oplogIdx, data: 'aGk=' },
      { oplogIdx: id.oplogIdx, data: ['1'] },
      { oplogIdx: -1, data: [] },
      { data: [1] },
    ];
    for (const body of bodies) {
      const res = await fetch(server.completionUrl(id), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth() },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const notJson = await fetch(server.completionUrl(id), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth() },
      body: '{"oplogIdx":',
      signal: AbortSignal.timeout(10_000),
    });
    expect(notJson.status).toBe(400);
    expect(registry.pollPromise(id)).toBeUndefined();
  });

  it('reports state with GET', async () => {
    const id = await registry.createPromise();
    const get = async () => {
      const res = await fetch(server.stateUrl(id), { headers: auth(), signal: AbortSignal.timeout(10_000) });
      expect(res.status).toBe(200);
      return res.json() as Promise<unknown>;
    };
    expect(await get()).toEqual({ workerName: 'req-1', oplogIdx: id.oplogIdx, status: 'pending' });
    await registry.completePromise(id, utf8('ok'));
    expect(await get()).toEqual({
      workerName: 'req-1',
      oplogIdx: id.oplogIdx,
      status: 'completed',
      data: [111, 107],
    });
    const bad = await fetch(`${server.url}/v1/workers/req-1/promises/abc`, {
      headers: auth(),
      signal: AbortSignal.timeout(10_000),
    });
    expect(bad.status).toBe(404);
  });

  it('uses a given token, and answers 503 once the registry is closed', async () => {
    const own = await startPromiseServer({ registry, token: 'my-secret-token' });
    try {
      expect(own.token).toBe('my-secret-token');
      const id = await registry.createPromise();
      await registry.close();
      const res = await fetch(own.completionUrl(id), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer my-secret-token' },
        body: JSON.stringify({ oplogIdx: id.oplogIdx, data: [1] }),
        signal: AbortSignal.timeout(10_000),
      });
      expect(res.status).toBe(503);
    } finally {
      await own.close();
    }
  });

  it('reports unexpected failures to onError and answers 500', async () => {
    const failures: unknown[] = [];
    const broken = await startPromiseServer({
      registry: {
        workerName: 'req-1',
        completePromise: () => Promise.reject(new Error('disk on fire')),
        getPromiseState: () => {
          throw new Error('unused');
        },
      },
      onError: (err) => failures.push(err),
    });
    try {
      const res = await fetch(broken.completionUrl({ workerName: 'req-1', oplogIdx: 0 }), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${broken.token}` },
        body: JSON.stringify({ oplogIdx: 0, data: [] }),
        signal: AbortSignal.timeout(10_000),
      });
      expect(res.status).toBe(500);
      expect(failures).toEqual([new Error('disk on fire')]);
    } finally {
      await broken.close();
    }
  });
});
