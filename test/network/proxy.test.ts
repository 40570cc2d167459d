/**
 * The TCP proxy (`golem-rx/net`) against devnet over real loopback: a network with the requestor
 * and two providers rented with the operators (their exe-units deployed into it), an echo service
 * reached with node:net, an HTTP server reached with fetch, typed failures, and everything gone
 * from devnet after `node.close()`.
 */
import { randomBytes } from 'node:crypto';
import { type Socket, connect, createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DevnetHandle } from '@golem-rx/devnet';
import { type TcpProxyEvent, createTcpProxy, isTcpProxyError } from 'golem-rx/net';
import { isNetworkError } from '../../src/network/errors/NetworkError.js';
import type { Network } from '../../src/network/Network.js';
import type { GolemNode } from '../../src/node/GolemNode.js';
import type { Activity } from '../../src/resources/Activity.js';
import { netStats, nodeOn, rentInNetwork, testDevnet } from './support.js';

/** Connects to the proxy, sends `bytes`, reads until `expected` bytes came back or the socket closed. */
function roundTrip(port: number, bytes: Buffer, expected = bytes.length): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const socket: Socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= expected) socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

describe('the TCP proxy to a provider in the network, on devnet', () => {
  let devnet: DevnetHandle;
  let node: GolemNode;
  let network: Network;
  let echo: Activity;
  let web: Activity;

  beforeEach(async () => {
    devnet = await testDevnet({ providers: 3 });
    node = await nodeOn(devnet).start();
    network = await node.createNetwork({ ip: '192.168.0.0/24' });
    [echo, web] = (await rentInNetwork(node, network, 2)) as [Activity, Activity];
    await echo.run('tcp-echo 7');
    await web.run('mkdir -p /srv && echo "hello through the VPN" > /srv/index.html && http-server 80 /srv');
  });
  afterEach(async () => {
    await node.close();
    await devnet.stop();
  });

  it('echoes bytes sent with node:net through yagna’s websocket, and reports the connection', async () => {
    await using proxy = await createTcpProxy(network, echo, 7);
    const events: TcpProxyEvent[] = [];
    proxy.events$.subscribe((event) => events.push(event));
    expect(proxy.ip).toBe(network.nodeOf(echo)?.ip);
    const bytes = randomBytes(256 * 1024);
    const echoed = await roundTrip(proxy.port, bytes);
    expect(echoed.equals(bytes)).toBe(true);
    await vi.waitFor(() =>
      expect(events).toEqual([
        { type: 'opened', connection: 1 },
        { type: 'closed', connection: 1, sent: bytes.length, received: bytes.length },
      ]),
    );
    expect(netStats(devnet).connections).toBe(0);
  });

  it('answers fetch through the proxy with the HTTP server in the other VM', async () => {
    await using proxy = await createTcpProxy(network, web.agreement.providerId, 80);
    const page = await fetch(`http://127.0.0.1:${proxy.port}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html');
    expect(await page.text()).toBe('hello through the VPN\n');
    const missing = await fetch(`http://127.0.0.1:${proxy.port}/nothing-here`);
    expect(missing.status).toBe(404);
    await missing.text();
  });

  it('fails a connection, typed, where yagna refuses it: a port nothing listens on (400), an IP no VM has (504)', async () => {
    for (const [target, port, status] of [
      [echo, 8, 400],
      ['192.168.0.50', 7, 504],
    ] as const) {
      await using proxy = await createTcpProxy(network, target, port);
      const failed = new Promise<TcpProxyEvent>((resolve) =>
        proxy.events$.subscribe((event) => event.type === 'failed' && resolve(event)),
      );
      expect(await roundTrip(proxy.port, Buffer.from('hi'))).toHaveLength(0); // the socket just closes
      const event = await failed;
      if (event.type !== 'failed') throw new Error('unreachable');
      expect(isTcpProxyError(event.error)).toBe(true);
      expect(event.error.context).toMatchObject({
        operation: 'connect',
        status,
        port,
        networkId: network.id,
      });
      expect(event.error.message).not.toContain(devnet.appKey);
    }
  });

  it('refuses, typed, a target outside the network and a local port in use', async () => {
    await expect(createTcpProxy(network, '0x' + 'd'.repeat(40), 7)).rejects.toSatisfy(
      (e: unknown) => isNetworkError(e) && e.code === 'notMember',
    );
    await expect(createTcpProxy(network, echo, 70_000)).rejects.toThrow(RangeError);
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const address = busy.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    await expect(createTcpProxy(network, echo, 7, { port })).rejects.toSatisfy(
      (e: unknown) => isTcpProxyError(e) && e.context.operation === 'listen',
    );
    await new Promise<void>((resolve) => busy.close(() => resolve()));
  });

  it('ends the connections to a node removed from the network', async () => {
    await using proxy = await createTcpProxy(network, echo, 7);
    const opened = new Promise<void>((resolve) =>
      proxy.events$.subscribe((event) => event.type === 'opened' && resolve()),
    );
    const socket = connect(proxy.port, '127.0.0.1');
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.resume(); // read what comes (the echo), so that the end of the stream is seen
    socket.write('ping');
    await opened;
    await network.removeNode(echo);
    await closed;
    expect(network.nodeOf(echo)).toBeUndefined();
    await vi.waitFor(() => expect(proxy.connections).toBe(0));
  });

  it('node.close() removes the network, which closes its proxies: devnet has no network left', async () => {
    const proxy = await createTcpProxy(network, echo, 7);
    const done = new Promise<void>((resolve) => proxy.events$.subscribe({ complete: resolve }));
    expect(await roundTrip(proxy.port, Buffer.from('last words'))).toEqual(Buffer.from('last words'));
    const report = await node.close();
    expect(report.failures).toEqual([]);
    await done;
    expect(network.closed).toBe(true);
    expect(netStats(devnet)).toMatchObject({ networks: 0, nodes: 0, connections: 0 });
    await expect(proxy.listen()).resolves.toBe(proxy); // listen() is idempotent: the same outcome
    await expect(createTcpProxy(network, '192.168.0.2', 7)).rejects.toSatisfy(
      (e: unknown) => isNetworkError(e) && e.code === 'removed',
    );
  });
});
