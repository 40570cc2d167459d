/**
 * devnet's VPN end to end over raw HTTP and a websocket: two rented VMs join a network through
 * their `deploy` command's `net`, start TCP services with `tcp-echo` and `http-server`, and the
 * net API v2 websocket `…/net/{id}/tcp/{ip}/{port}` reaches them; refusals are Real yagna's.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startDevnet, type DevnetHandle } from '../../src/index.js';
import { call, exchange, exec, ok, openTcp, type Rental, rent, sh } from './helpers.js';

const V2 = '/net-api/v2/vpn/net';

interface Joined {
  readonly networkId: string;
  readonly rentals: readonly Rental[];
}

describe('devnet net API: TCP to services in the VMs', () => {
  let devnet: DevnetHandle;
  let joined: Joined;

  beforeEach(async () => {
    devnet = await startDevnet({ providers: 3, seed: 5, thinkTimeMs: [1, 3], approvalDelayMs: [1, 3] });
    const rentals = await rent(devnet, 2);
    const { id: networkId } = await ok<{ id: string }>(devnet, 'POST', V2, { ip: '192.168.0.0/24' });
    const nodes: Record<string, string> = { '192.168.0.1': devnet.requestorId };
    await ok(devnet, 'POST', `${V2}/${networkId}/nodes`, { id: devnet.requestorId, ip: '192.168.0.1' });
    for (const [i, rental] of rentals.entries()) {
      const ip = `192.168.0.${i + 2}`;
      await ok(devnet, 'POST', `${V2}/${networkId}/nodes`, { id: rental.providerId, ip });
      nodes[ip] = rental.providerId;
    }
    for (const [i, rental] of rentals.entries()) {
      const net = [
        { id: networkId, ip: '192.168.0.0', mask: '255.255.255.0', nodeIp: `192.168.0.${i + 2}`, nodes },
      ];
      const results = await exec(devnet, rental.activityId, [{ deploy: { net } }, { start: {} }]);
      expect(results.map((r) => r.result)).toEqual(['Ok', 'Ok']);
    }
    joined = { networkId, rentals };
  });
  afterEach(async () => devnet.stop());

  const tcpPath = (ip: string, port: number, networkId = joined.networkId): string =>
    `${V2}/${networkId}/tcp/${ip}/${port}`;
  const stats = (): { connections: number; services: number; networks: number } =>
    (devnet.stats() as unknown as { net: { connections: number; services: number; networks: number } }).net;

  it('echoes bytes through the websocket to a tcp-echo service', async () => {
    const [first] = joined.rentals;
    const started = await exec(devnet, first!.activityId, [sh('tcp-echo 7')]);
    expect(started[0]).toMatchObject({ result: 'Ok', stdout: 'tcp-echo: listening on port 7\n' });
    const opened = await openTcp(devnet, tcpPath('192.168.0.2', 7));
    if (!('ws' in opened)) throw new Error(`refused: ${opened.status}`);
    expect(stats().connections).toBe(1);
    const echoed = await exchange(opened.ws, Buffer.from([0, 1, 2, 250, 255]), 5);
    expect([...echoed]).toEqual([0, 1, 2, 250, 255]);
    await vi.waitFor(() => expect(stats().connections).toBe(0));
  });

  it('serves a file of the VM over HTTP/1.0 with http-server, then closes the connection', async () => {
    const [, second] = joined.rentals;
    await exec(devnet, second!.activityId, [
      sh('mkdir -p /srv && echo "hello from the VM" > /srv/index.html'),
    ]);
    expect((await exec(devnet, second!.activityId, [sh('http-server 8080 /srv')]))[0]?.result).toBe('Ok');
    const opened = await openTcp(devnet, tcpPath('192.168.0.3', 8080));
    if (!('ws' in opened)) throw new Error(`refused: ${opened.status}`);
    const answer = (await exchange(opened.ws, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')).toString('utf8');
    expect(answer).toMatch(/^HTTP\/1\.0 200 OK\r\n/);
    expect(answer).toContain('Content-Type: text/html\r\n');
    expect(answer.endsWith('\r\n\r\nhello from the VM\n')).toBe(true);
  });

  it("refuses as yagna does: 504 where no VM answers, 400 on a closed port or a bad address, 403/404 for a network that isn't ours, 401 without the key", async () => {
    const [first] = joined.rentals;
    await exec(devnet, first!.activityId, [sh('tcp-echo 7')]);
    const refused = async (path: string, appKey?: string): Promise<{ status: number; body: string }> => {
      const opened = await openTcp(devnet, path, appKey);
      if ('ws' in opened) throw new Error(`${path} was opened`);
      return opened;
    };
    expect(await refused(tcpPath('192.168.0.9', 7))).toEqual({ status: 504, body: '' });
    expect((await refused(tcpPath('192.168.0.2', 8))).status).toBe(400);
    expect((await refused(tcpPath('127.0.0.1', 7))).status).toBe(400);
    expect(await refused(tcpPath('192.168.0.2', 7, 'f'.repeat(32)))).toEqual({ status: 403, body: '' });
    expect((await refused(tcpPath('192.168.0.2', 7), 'wrong')).status).toBe(401);
    await ok(devnet, 'DELETE', `${V2}/${joined.networkId}`);
    expect(JSON.parse((await refused(tcpPath('192.168.0.2', 7))).body)).toEqual({
      message: 'Network not found',
    });
  });

  it('drops the connections of a network removed, a node removed, a VM destroyed', async () => {
    const [first, second] = joined.rentals;
    await exec(devnet, first!.activityId, [sh('tcp-echo 7')]);
    await exec(devnet, second!.activityId, [sh('tcp-echo 7')]);
    const open = async (ip: string): Promise<{ closed: Promise<void> }> => {
      const opened = await openTcp(devnet, tcpPath(ip, 7));
      if (!('ws' in opened)) throw new Error(`refused: ${opened.status}`);
      return { closed: new Promise<void>((resolve) => opened.ws.once('close', () => resolve())) };
    };
    const { closed: toFirst } = await open('192.168.0.2');
    const { closed: toSecond } = await open('192.168.0.3');
    expect(stats().connections).toBe(2);
    await ok(devnet, 'DELETE', `${V2}/${joined.networkId}/nodes/${first!.providerId}`);
    await toFirst;

    expect(stats().connections).toBe(1);
    await ok(devnet, 'DELETE', `/activity-api/v1/activity/${second!.activityId}`);
    await toSecond;
    expect(stats()).toMatchObject({ connections: 0, services: 1 });
    await ok(devnet, 'DELETE', `${V2}/${joined.networkId}`);
    expect(stats()).toMatchObject({ networks: 0, connections: 0 });
  });

  it('fails a deploy whose `net` the exe-unit cannot read, and starts no service twice on a port', async () => {
    const [first] = joined.rentals;
    const [spare] = await rent(devnet, 1);
    const net = [
      { id: joined.networkId, ip: '192.168.0.0', mask: '255.255.255.0', nodeIp: 'nope', nodes: {} },
    ];
    const results = await exec(devnet, spare!.activityId, [{ deploy: { net } }, { start: {} }]);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({
      result: 'Error',
      message: expect.stringContaining('Invalid IP address'),
    });
    const state = await ok<{ state: string[] }>(
      devnet,
      'GET',
      `/activity-api/v1/activity/${spare!.activityId}/state`,
    );
    expect(state.state[0]).toBe('Initialized');
    await exec(devnet, first!.activityId, [sh('tcp-echo 7')]);
    const again = await exec(devnet, first!.activityId, [sh('tcp-echo 7')]);
    expect(again[0]).toMatchObject({ result: 'Error', stderr: 'tcp-echo: port 7: Address already in use\n' });
    expect((await exec(devnet, first!.activityId, [sh('tcp-echo')]))[0]?.stderr).toBe(
      'usage: tcp-echo PORT\n',
    );
    expect((await call(devnet, 'GET', `${V2}/${joined.networkId}/nodes`)).status).toBe(200);
  });
});
