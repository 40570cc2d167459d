/**
 * Promises on JetStream key-value against a real nats-server: registries of one worker on separate
 * connections (as on separate hosts) share promises, the first completion wins by compare-and-set,
 * waiters wake wherever they wait, indexes never collide, a reopened store sees everything, and a
 * NATS restart loses nothing. The cross-process version is promisesProcesses.test.ts.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { type NatsLink, connectNats, isNatsConnectionError } from 'golem-rx/nats';
import {
  NatsKvPromiseStore,
  type NatsKvPromiseStoreConfig,
  PromiseRegistry,
  isPromiseKvStoreError,
  isPromiseNotFoundError,
  startPromiseServer,
  type PromiseServerHandle,
} from 'golem-rx/promises';
import { oplogIdxOfKey, promiseKey, workerToken } from '../../src/promises/nats/kvFormat.js';
import { text, utf8 } from '../promises/fixtures/bytes.js';
import {
  type NatsServerHandle,
  hasNatsServer,
  missingNatsServer,
  natsServerRequired,
  startNatsServer,
} from './natsServer.js';

/** How long a state another host (process) caused may take to arrive here. */
const EVENTUALLY = { timeout: 15_000 };

describe('promise keys in the bucket', () => {
  it('map any worker name to one key token and back to the index', () => {
    expect(workerToken('deploy-bot')).toBe('deploy-bot');
    expect(workerToken('ops_team.eu')).toBe('ops_5Fteam_2Eeu');
    expect(workerToken('zß')).toBe('z_C3_9F');
    expect(workerToken('a.b')).not.toBe(workerToken('a_b'));
    const key = promiseKey(workerToken('ops_team.eu'), 12);
    expect(key).toMatch(/^[-/=.\w]+$/);
    expect(oplogIdxOfKey(workerToken('ops_team.eu'), key)).toBe(12);
    expect(oplogIdxOfKey('deploy-bot', 'deploy-bot.07')).toBeUndefined();
    expect(oplogIdxOfKey('deploy-bot', 'deploy-bots.1')).toBeUndefined();
  });

  it('refuses bad options with RangeError before connecting', async () => {
    const servers = 'nats://127.0.0.1:1';
    await expect(NatsKvPromiseStore.open({ servers, bucket: 'a.b' })).rejects.toThrow(RangeError);
    await expect(NatsKvPromiseStore.open({ servers, workerName: '' })).rejects.toThrow(RangeError);
    await expect(NatsKvPromiseStore.open({ servers, appendTimeoutMs: 0 })).rejects.toThrow(RangeError);
  });
});

describe('golem-rx/promises without the @nats-io packages', () => {
  it('loads and works on its other stores; opening the NATS store says what to install', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/promisesWithoutNats.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', fixture], {
      timeout: 60_000,
    });
    expect(JSON.parse(stdout)).toEqual({
      hidden: true,
      completed: true,
      name: 'NatsConnectionError',
      operation: 'load',
      message: expect.stringContaining(
        'npm install @nats-io/transport-node @nats-io/jetstream @nats-io/kv',
      ) as unknown,
    });
  });
});

describe.runIf(!hasNatsServer && natsServerRequired)('nats-server in CI', () => {
  it('is installed (CI=true: .ci/run installs it)', () => {
    expect.fail(missingNatsServer);
  });
});

describe.skipIf(!hasNatsServer)('NatsKvPromiseStore on nats-server', () => {
  let server: NatsServerHandle | undefined;
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await server?.stop();
    server = undefined;
  });

  async function nats(options: { token?: string } = {}): Promise<NatsServerHandle> {
    server = await startNatsServer(options);
    return server;
  }

  /** A registry of `worker` on its own connection, as on its own host. */
  async function host(config: NatsKvPromiseStoreConfig & { token?: string } = {}): Promise<PromiseRegistry> {
    if (server === undefined) throw new Error('start the server first');
    const store = await NatsKvPromiseStore.open({
      servers: server.url,
      bucket: 'approvals',
      workerName: 'deploy-bot',
      reconnectTimeWaitMs: 50,
      ...config,
    });
    const registry = new PromiseRegistry(store);
    cleanups.push(() => registry.close());
    return registry;
  }

  it('creates on one host, awaits on a second, completes from a third: every waiter wakes', async () => {
    await nats();
    const [a, b, c] = [await host(), await host(), await host()];
    expect(b.workerName).toBe('deploy-bot');
    const id = await a.createPromise();
    const onA = a.awaitPromiseValue(id);
    const onB = b.awaitPromiseValue(id); // b may not have seen the creation yet: it asks the bucket
    expect(await c.completePromise(id, utf8('yes'))).toBe(true);
    expect(text(await onA)).toBe('yes');
    expect(text(await onB)).toBe('yes');
    expect(await a.completePromise(id, utf8('again'))).toBe(false);
    expect(text(a.pollPromise(id))).toBe('yes');
  });

  it('lets exactly one of two racing completions win; both see the winner’s value', async () => {
    await nats();
    const [a, b] = [await host(), await host()];
    for (let round = 0; round < 5; round++) {
      const id = await a.createPromise();
      const waiting = [a.awaitPromiseValue(id), b.awaitPromiseValue(id)];
      await expect
        .poll(() => b.listPromises().some((p) => p.id.oplogIdx === id.oplogIdx), EVENTUALLY)
        .toBe(true);
      // Both decide "pending" in this same turn, so both writes reach JetStream: one loses the CAS.
      const results = await Promise.all([
        a.completePromise(id, utf8(`a${round}`)),
        b.completePromise(id, utf8(`b${round}`)),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results[0] ? `a${round}` : `b${round}`;
      expect(text(a.pollPromise(id))).toBe(winner);
      expect(text(b.pollPromise(id))).toBe(winner);
      expect((await Promise.all(waiting)).map(text)).toEqual([winner, winner]);
    }
  });

  it('hands out distinct indexes to hosts that create at the same time', async () => {
    await nats();
    const [a, b] = [await host(), await host()];
    const ids = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).createPromise()),
    );
    const indexes = ids.map((id) => id.oplogIdx);
    expect(new Set(indexes).size).toBe(10);
    await expect.poll(() => a.listPromises().length, EVENTUALLY).toBe(10);
    await expect.poll(() => b.listPromises().length, EVENTUALLY).toBe(10);
  });

  it('deletes everywhere: waiters elsewhere error, the index is never reused', async () => {
    await nats();
    const [a, b] = [await host(), await host()];
    const id = await a.createPromise();
    const failed = b.awaitPromiseValue(id).catch((err: unknown) => err);
    await expect.poll(() => b.listPromises().length, EVENTUALLY).toBe(1);
    expect(await a.deletePromise(id)).toBe(true);
    const failure: unknown = await failed;
    expect(isPromiseNotFoundError(failure) && failure.reason).toBe('deleted');
    expect(await b.deletePromise(id)).toBe(false);
    expect((await b.createPromise()).oplogIdx).toBe(id.oplogIdx + 1);
    const reopened = await host();
    expect(reopened.listPromises().map((p) => p.id.oplogIdx)).toEqual([id.oplogIdx + 1]);
    expect((await reopened.createPromise()).oplogIdx).toBe(id.oplogIdx + 2);
  });

  it('keeps workers apart in one bucket', async () => {
    await nats();
    const a = await host({ workerName: 'deploy-bot' });
    const other = await host({ workerName: 'deploy_bot' });
    const id = await a.createPromise();
    expect((await other.createPromise()).oplogIdx).toBe(0);
    expect(() => other.getPromiseState(id)).toThrow(/not found/);
    const store = await NatsKvPromiseStore.open({
      servers: server!.url,
      bucket: 'approvals',
      workerName: 'w',
    });
    cleanups.push(() => store.close());
    expect(() => new PromiseRegistry(store, { workerName: 'x' })).toThrow(TypeError);
  });

  it('completes through the HTTP server of another host; the waiter on the first wakes', async () => {
    await nats();
    const [a, b] = [await host(), await host()];
    const http: PromiseServerHandle = await startPromiseServer({ registry: b });
    cleanups.push(() => http.close());
    const id = await a.createPromise();
    const waiting = a.awaitPromiseValue(id);
    const post = (data: number[]) =>
      fetch(http.completionUrl(id), {
        method: 'POST',
        headers: { authorization: `Bearer ${http.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ oplogIdx: id.oplogIdx, data }),
        signal: AbortSignal.timeout(10_000),
      }).then(async (res) => [res.status, await res.json()] as const);
    expect(await post([...utf8('via http')])).toEqual([200, true]);
    expect(text(await waiting)).toBe('via http');
    expect(await post([...utf8('late')])).toEqual([200, false]);
  });

  it('survives a NATS restart: a completion made while it is down lands, the waiter wakes, a reopen sees it', async () => {
    const nats1 = await nats();
    const [a, b] = [await host(), await host()];
    const pending = await a.createPromise();
    const done = await a.createPromise();
    await a.completePromise(done, utf8('before'));
    const waiting = b.awaitPromiseValue(pending);
    await expect.poll(() => b.listPromises().length, EVENTUALLY).toBe(2);

    await nats1.kill();
    const completing = a.completePromise(pending, utf8('during the outage'));
    await nats1.restart();
    expect(await completing).toBe(true);
    expect(text(await waiting)).toBe('during the outage');

    const reopened = await host();
    expect(reopened.listPromises().map((p) => [p.id.oplogIdx, p.status, text(p.data)])).toEqual([
      [pending.oplogIdx, 'completed', 'during the outage'],
      [done.oplogIdx, 'completed', 'before'],
    ]);
    const later = await b.createPromise();
    const lateWaiter = a.awaitPromiseValue(later);
    expect(await reopened.completePromise(later, utf8('after'))).toBe(true);
    expect(text(await lateWaiter)).toBe('after');
  });

  it('fails a write typed when NATS stays away, without the token; no host disagrees afterwards', async () => {
    const nats1 = await nats({ token: 'tk-secret-42' });
    const a = await host({ token: 'tk-secret-42', appendTimeoutMs: 300, requestTimeoutMs: 100 });
    const b = await host({ token: 'tk-secret-42' });
    const id = await a.createPromise();
    await nats1.kill();
    const failure: unknown = await a.completePromise(id, utf8('lost?')).catch((err: unknown) => err);
    expect(isPromiseKvStoreError(failure)).toBe(true);
    const error = failure as Error & { operation: string; bucket: string; cause: Error };
    expect(error.operation).toBe('append');
    expect(error.bucket).toBe('approvals');
    expect(`${error.message} ${error.cause.message} ${JSON.stringify(error)}`).not.toContain('tk-secret-42');
    await nats1.restart();
    // The write that timed out may still land once `a` reconnects; whatever wins, both hosts agree.
    const won = await b.completePromise(id, utf8('after'));
    const winner = won ? 'after' : 'lost?';
    await expect.poll(() => text(a.pollPromise(id)), EVENTUALLY).toBe(winner);
    expect(text(b.pollPromise(id))).toBe(winner);
  });

  it('refuses a corrupt value in the bucket on open, typed', async () => {
    const nats1 = await nats();
    const link: NatsLink = await connectNats({ servers: nats1.url });
    cleanups.push(() => link.close());
    const { Kvm } = await import('@nats-io/kv');
    const kv = await new Kvm(link.connection).create('approvals', { history: 1 });
    await kv.put('deploy-bot.0', 'not a promise');
    const failure: unknown = await NatsKvPromiseStore.open({
      link,
      bucket: 'approvals',
      workerName: 'deploy-bot',
    }).catch((err: unknown) => err);
    expect(isPromiseKvStoreError(failure) && [failure.operation, failure.key]).toEqual([
      'open',
      'deploy-bot.0',
    ]);
    expect(link.connection.isClosed()).toBe(false); // a given link stays the caller's
  });

  it('reports a missing server as NatsConnectionError', async () => {
    const nats1 = await nats();
    const url = nats1.url;
    await nats1.stop();
    server = undefined;
    const failure: unknown = await NatsKvPromiseStore.open({
      servers: url,
      reconnect: false,
      timeoutMs: 1000,
    }).catch((err: unknown) => err);
    expect(isNatsConnectionError(failure)).toBe(true);
  });
});
