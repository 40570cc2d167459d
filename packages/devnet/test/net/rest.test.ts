/**
 * devnet's net API over real loopback HTTP, as Real yagna answers it (core/vpn/src/requestor.rs,
 * network.rs): networks, the requestor's addresses, nodes; both prefixes (v1, v2) on one store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDevnet, type DevnetHandle } from '../../src/index.js';
import { call, ok } from './helpers.js';

const V2 = '/net-api/v2/vpn/net';
const V1 = '/net-api/v1/net';

interface NetworkDto {
  id: string;
  ip: string;
  mask: string;
  gateway: string;
}

describe('devnet net API: networks, addresses and nodes', () => {
  let devnet: DevnetHandle;
  beforeEach(async () => {
    devnet = await startDevnet({ providers: 0, seed: 3 });
  });
  afterEach(async () => devnet.stop());

  const create = (body: unknown): Promise<NetworkDto> => ok<NetworkDto>(devnet, 'POST', V2, body);
  const netStats = (): { networks: number; nodes: number } =>
    (devnet.stats() as unknown as { net: { networks: number; nodes: number } }).net;

  it('creates a network: a simple uuid, the ip with its prefix, the mask, the first host as gateway', async () => {
    const network = await create({ ip: '192.168.0.0/24' });
    expect(network).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      ip: '192.168.0.0/24',
      mask: '255.255.255.0',
      gateway: '192.168.0.1',
    });
    expect(await create({ ip: '10.1.0.0', mask: '255.255.0.0', gateway: '10.1.255.254' })).toMatchObject({
      ip: '10.1.0.0/16',
      mask: '255.255.0.0',
      gateway: '10.1.255.254',
    });
    expect(await create({ ip: '172.16.5.0' })).toMatchObject({ ip: '172.16.5.0/24', mask: '255.255.255.0' });
    expect(await ok(devnet, 'GET', `${V2}/${network.id}`)).toEqual(network);
    expect(await ok<NetworkDto[]>(devnet, 'GET', V2)).toHaveLength(3);
    expect(netStats()).toMatchObject({ networks: 3, nodes: 0 });
  });

  it('refuses a body or an address it cannot read with 400 {"message"}', async () => {
    for (const body of [
      {},
      { ip: 7 },
      { ip: 'x.y.z.w' },
      { ip: '10.0.0.0/33' },
      { ip: '10.0.0.0', gateway: 'gw' },
    ]) {
      const res = await call(devnet, 'POST', V2, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toEqual({ message: expect.any(String) });
    }
    expect(netStats().networks).toBe(0);
  });

  it("checks the owner as yagna does: 404 without any network, then 403 with no body for an id it doesn't know", async () => {
    const none = await call(devnet, 'GET', `${V2}/0123456789abcdef0123456789abcdef`);
    expect(none).toMatchObject({ status: 404, body: { message: 'Network not found' } });
    await create({ ip: '192.168.0.0/24' });
    for (const [method, path] of [
      ['GET', `${V2}/0123456789abcdef0123456789abcdef`],
      ['DELETE', `${V2}/0123456789abcdef0123456789abcdef`],
      ['GET', `${V2}/0123456789abcdef0123456789abcdef/nodes`],
    ] as const) {
      const res = await call(devnet, method, path);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.text).toBe('');
    }
  });

  it('keeps the requestor addresses: the first host, then those added inside the network', async () => {
    const { id } = await create({ ip: '192.168.0.0/24' });
    expect(await ok(devnet, 'GET', `${V2}/${id}/addresses`)).toEqual([{ ip: '192.168.0.1/24' }]);
    expect(await ok(devnet, 'POST', `${V2}/${id}/addresses`, { ip: '192.168.0.9' })).toBeNull();
    expect(await ok(devnet, 'GET', `${V2}/${id}/addresses`)).toEqual([
      { ip: '192.168.0.1/24' },
      { ip: '192.168.0.9/24' },
    ]);
    for (const ip of ['10.0.0.1', 'nope']) {
      expect((await call(devnet, 'POST', `${V2}/${id}/addresses`, { ip })).status).toBe(400);
    }
  });

  it('adds nodes (an IP taken is ignored with 200, as Real), removes them (200 for an unknown one too)', async () => {
    const { id } = await create({ ip: '192.168.0.0/24' });
    const a = '0x' + 'a'.repeat(40);
    const b = '0x' + 'b'.repeat(40);
    expect(await ok(devnet, 'POST', `${V2}/${id}/nodes`, { id: a, ip: '192.168.0.2' })).toBeNull();
    expect(await ok(devnet, 'POST', `${V2}/${id}/nodes`, { id: b, ip: '192.168.0.2' })).toBeNull();
    expect(await ok(devnet, 'POST', `${V2}/${id}/nodes`, { id: b, ip: '192.168.0.3' })).toBeNull();
    expect(await ok(devnet, 'GET', `${V2}/${id}/nodes`)).toEqual([
      { id: a, ip: '192.168.0.2' },
      { id: b, ip: '192.168.0.3' },
    ]);
    for (const ip of ['10.0.0.2', '127.0.0.1', '192.168.0']) {
      const res = await call(devnet, 'POST', `${V2}/${id}/nodes`, { id: a, ip });
      expect(res.status, ip).toBe(400);
      expect(res.body).toEqual({ message: expect.any(String) });
    }
    expect(netStats().nodes).toBe(2);
    expect(await ok(devnet, 'DELETE', `${V2}/${id}/nodes/${a}`)).toBeNull();
    expect(await ok(devnet, 'DELETE', `${V2}/${id}/nodes/${a}`)).toBeNull();
    expect(await ok(devnet, 'GET', `${V2}/${id}/nodes`)).toEqual([{ id: b, ip: '192.168.0.3' }]);
  });

  it('serves v1 and v2 from one store; GET …/tcp (connections) is not served, as in Real yagna', async () => {
    const network = await ok<NetworkDto>(devnet, 'POST', V1, { ip: '10.0.0.0/8' });
    expect(await ok(devnet, 'GET', `${V2}/${network.id}`)).toEqual(network);
    expect((await call(devnet, 'GET', `${V2}/${network.id}/tcp`)).status).toBe(404);
    expect((await call(devnet, 'GET', `${V1}/${network.id}/tcp/10.0.0.2/80`)).status).toBe(400);
    expect((await call(devnet, 'GET', V2)).status).toBe(200);
  });

  it('removes a network: 200 null, gone from the list and the stats', async () => {
    const { id } = await create({ ip: '192.168.0.0/24' });
    await ok(devnet, 'POST', `${V2}/${id}/nodes`, { id: '0x' + 'a'.repeat(40), ip: '192.168.0.2' });
    expect(await ok(devnet, 'DELETE', `${V2}/${id}`)).toBeNull();
    expect(await ok(devnet, 'GET', V2)).toEqual([]);
    expect(netStats()).toEqual({ networks: 0, nodes: 0, connections: 0, services: 0 });
    expect((await call(devnet, 'GET', `${V2}/${id}`)).status).toBe(404);
  });

  it('loses the networks on a restart, as yagna keeps them in memory', async () => {
    const { id } = await create({ ip: '192.168.0.0/24' });
    devnet.restart();
    expect((await call(devnet, 'GET', `${V2}/${id}`)).status).toBe(404);
    expect(await ok(devnet, 'GET', V2)).toEqual([]);
    expect(netStats().networks).toBe(0);
  });

  it('needs the app key', async () => {
    const res = await fetch(`${devnet.url}${V2}`);
    expect(res.status).toBe(401);
  });
});
