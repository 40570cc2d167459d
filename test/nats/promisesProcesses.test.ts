/**
 * Promises across processes over NATS (issue 14's "done when"): this process creates a promise and
 * waits; other requestor processes (test/nats/fixtures/promisesPeer.ts) complete it over NATS, in
 * code or through their HTTP server. The first writer wins, everyone sees the winner's value, the
 * waiter here wakes, and a NATS restart in the middle loses nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NatsKvPromiseStore, PromiseRegistry } from 'golem-rx/promises';
import { text, utf8 } from '../promises/fixtures/bytes.js';
import { type PeerProcess, startPeer } from './fixtures/promisesPeerProcess.js';
import {
  type NatsServerHandle,
  hasNatsServer,
  missingNatsServer,
  natsServerRequired,
  startNatsServer,
} from './natsServer.js';

/** How long a state another host (process) caused may take to arrive here. */
const EVENTUALLY = { timeout: 15_000 };

const BUCKET = 'approvals';
const WORKER = 'deploy-bot';

describe.runIf(!hasNatsServer && natsServerRequired)('nats-server in CI', () => {
  it('is installed (CI=true: .ci/run installs it)', () => {
    expect.fail(missingNatsServer);
  });
});

describe.skipIf(!hasNatsServer)('promises across processes on NATS', { timeout: 60_000 }, () => {
  let server: NatsServerHandle | undefined;
  const peers: PeerProcess[] = [];
  const registries: PromiseRegistry[] = [];
  afterEach(async () => {
    for (const peer of peers.splice(0)) await peer.kill();
    for (const registry of registries.splice(0)) await registry.close();
    await server?.stop();
    server = undefined;
  });

  async function here(url: string): Promise<PromiseRegistry> {
    const store = await NatsKvPromiseStore.open({
      servers: url,
      bucket: BUCKET,
      workerName: WORKER,
      reconnectTimeWaitMs: 50,
    });
    const registry = new PromiseRegistry(store);
    registries.push(registry);
    return registry;
  }

  async function peer(url: string): Promise<PeerProcess> {
    const started = await startPeer(url, BUCKET, WORKER);
    peers.push(started);
    return started;
  }

  it('created here, completed by two racing processes: exactly one wins, all see its value, the waiter here wakes', async () => {
    server = await startNatsServer();
    const [registry, p, q] = await Promise.all([here(server.url), peer(server.url), peer(server.url)]);
    const id = await registry.createPromise();
    const waiter = registry.awaitPromiseValue(id);
    // Both peers wait on it too (they learn of it from the bucket), then complete it at once.
    p.send({ op: 'await', id });
    q.send({ op: 'await', id });
    await Promise.all([
      expect
        .poll(async () => (p.send({ op: 'state', id }), (await p.next('state')).status), EVENTUALLY)
        .toBe('pending'),
      expect
        .poll(async () => (q.send({ op: 'state', id }), (await q.next('state')).status), EVENTUALLY)
        .toBe('pending'),
    ]);
    p.send({ op: 'complete', id, text: 'from p' });
    q.send({ op: 'complete', id, text: 'from q' });
    const [fromP, fromQ] = await Promise.all([p.next('completed'), q.next('completed')]);

    expect([fromP.won, fromQ.won].filter(Boolean)).toHaveLength(1);
    const winner = fromP.won === true ? 'from p' : 'from q';
    expect([fromP.seen, fromQ.seen]).toEqual([winner, winner]);
    expect(text(await waiter)).toBe(winner);
    expect([(await p.next('awaited')).text, (await q.next('awaited')).text]).toEqual([winner, winner]);
    expect(await registry.completePromise(id, utf8('too late'))).toBe(false);
    expect(text(registry.pollPromise(id))).toBe(winner);
  });

  it('created here, completed through the HTTP server of another process: the waiter here wakes', async () => {
    server = await startNatsServer();
    const [registry, p] = await Promise.all([here(server.url), peer(server.url)]);
    p.send({ op: 'serve' });
    const { url, token } = (await p.next('serving')) as { url: string; token: string } & { op: string };
    const id = await registry.createPromise();
    const waiter = registry.awaitPromiseValue(id);
    const post = async (data: string) => {
      const res = await fetch(`${url}/v1/workers/${WORKER}/complete`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ oplogIdx: id.oplogIdx, data: [...utf8(data)] }),
        signal: AbortSignal.timeout(20_000),
      });
      return [res.status, (await res.json()) as unknown] as const;
    };
    expect(await post('approved over http')).toEqual([200, true]);
    expect(text(await waiter)).toBe('approved over http');
    expect(await post('again')).toEqual([200, false]);
  });

  it('completed by another process while NATS restarts: it lands once NATS is back, the waiter wakes, a reopen sees it', async () => {
    const nats = await startNatsServer();
    server = nats;
    const [registry, p] = await Promise.all([here(nats.url), peer(nats.url)]);
    const id = await registry.createPromise();
    const waiter = registry.awaitPromiseValue(id);
    p.send({ op: 'await', id });
    await expect
      .poll(async () => (p.send({ op: 'state', id }), (await p.next('state')).status))
      .toBe('pending');

    await nats.kill();
    p.send({ op: 'complete', id, text: 'during the restart' });
    await nats.restart();
    expect(await p.next('completed')).toMatchObject({ won: true, seen: 'during the restart' });
    expect(text(await waiter)).toBe('during the restart');
    expect((await p.next('awaited')).text).toBe('during the restart');

    // A process that starts now (a requestor restarted after the outage) finds it completed.
    const late = await peer(nats.url);
    late.send({ op: 'state', id });
    expect(await late.next('state')).toMatchObject({ status: 'completed', text: 'during the restart' });
  });
});
