/**
 * `node.createNetwork` against devnet over real loopback HTTP: the network and the requestor in
 * it, providers joining with IPs given or allocated, the exe-units' deploy arguments, removing
 * nodes and the network, `node.close()` removing what is left; refusals typed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DevnetHandle } from '@golem-rx/devnet';
import { isNetworkError } from '../../src/network/errors/NetworkError.js';
import type { Network } from '../../src/network/Network.js';
import { isYagnaNotFoundError } from '../../src/api/errors/YagnaNotFoundError.js';
import type { GolemNode } from '../../src/node/GolemNode.js';
import { netStats, nodeOn, rentInNetwork, testDevnet } from './support.js';

const A = '0x' + 'a'.repeat(40);
const B = '0x' + 'b'.repeat(40);

interface NodeDto {
  id: string;
  ip: string;
}

describe('node.createNetwork on devnet', () => {
  let devnet: DevnetHandle;
  let node: GolemNode;
  beforeEach(async () => {
    devnet = await testDevnet({ providers: 3 });
    node = await nodeOn(devnet).start();
  });
  afterEach(async () => {
    await node.close();
    await devnet.stop();
  });

  /** The nodes devnet has for the network (`GET /nodes`). */
  const nodesOnDevnet = async (network: Network): Promise<NodeDto[]> =>
    (await network.api.getNodes(network.id)) as NodeDto[];

  it('creates 192.168.0.0/24 by default with the requestor at the first host, which is the gateway', async () => {
    const network = await node.createNetwork();
    expect(network.id).toMatch(/^[0-9a-f]{32}$/);
    expect([network.ip, network.cidr, network.mask, network.gateway]).toEqual([
      '192.168.0.0',
      '192.168.0.0/24',
      '255.255.255.0',
      '192.168.0.1',
    ]);
    expect(network.requestor).toEqual({ id: devnet.requestorId, ip: '192.168.0.1' });
    expect(network.nodes).toEqual([network.requestor]);
    expect(await nodesOnDevnet(network)).toEqual([{ id: devnet.requestorId, ip: '192.168.0.1' }]);
    expect(netStats(devnet)).toMatchObject({ networks: 1, nodes: 1 });
  });

  it('takes a range, a mask, a gateway and a requestor IP (added to its addresses)', async () => {
    const network = await node.createNetwork({
      ip: '10.8.0.0',
      mask: '255.255.0.0',
      gateway: '10.8.255.254',
      requestorIp: '10.8.0.100',
    });
    expect([network.cidr, network.gateway, network.requestor?.ip]).toEqual([
      '10.8.0.0/16',
      '10.8.255.254',
      '10.8.0.100',
    ]);
    expect(await network.api.getAddresses(network.id)).toEqual([
      { ip: '10.8.0.1/16' },
      { ip: '10.8.0.100/16' },
    ]);
    // providers get the lowest free hosts
    expect((await network.addNode(A)).ip).toBe('10.8.0.1');
  });

  it('allocates the lowest free host to each provider (never the gateway), or takes the IP given', async () => {
    const network = await node.createNetwork({ ip: '192.168.7.0/24' });
    const seen: number[] = [];
    const watching = network.nodes$.subscribe((nodes) => seen.push(nodes.length));
    const a = await network.addNode(A);
    const b = await network.addNode(B, '192.168.7.200');
    expect([a, b]).toEqual([
      { id: A, ip: '192.168.7.2' },
      { id: B, ip: '192.168.7.200' },
    ]);
    expect(await network.addNode(A)).toBe(a); // already in: the same node
    expect(network.nodeOf(B)).toBe(b);
    expect(await nodesOnDevnet(network)).toEqual([
      { id: devnet.requestorId, ip: '192.168.7.1' },
      { id: A, ip: '192.168.7.2' },
      { id: B, ip: '192.168.7.200' },
    ]);
    await network.removeNode(A);
    expect(network.nodes.map((n) => n.id)).toEqual([devnet.requestorId, B]);
    expect((await network.addNode('0x' + 'c'.repeat(40))).ip).toBe('192.168.7.2'); // free again
    await network.remove();
    expect(seen).toEqual([1, 2, 3, 2, 3]); // the requestor alone, then every change
    expect(watching.closed).toBe(true); // completed with the network
  });

  it('gives an exe-unit the deploy arguments of its network: ya-client DeployNetwork', async () => {
    const network = await node.createNetwork({ ip: '192.168.0.0/24' });
    await network.addNode(A);
    expect(network.deployArgs(A)).toEqual({
      net: [
        {
          id: network.id,
          ip: '192.168.0.0',
          mask: '255.255.255.0',
          gateway: '192.168.0.1',
          nodeIp: '192.168.0.2',
          nodes: { '192.168.0.1': devnet.requestorId, '192.168.0.2': A },
        },
      ],
    });
    expect(await network.join(B)).toMatchObject({ net: [{ nodeIp: '192.168.0.3' }] });
  });

  it('rents providers into the network with createActivity({ deploy }): their VMs are in it', async () => {
    const network = await node.createNetwork({ ip: '192.168.0.0/24' });
    const activities = await rentInNetwork(node, network, 2);
    const providers = activities.map((a) => a.agreement.providerId);
    expect(network.nodes.map((n) => n.id)).toEqual([devnet.requestorId, ...providers]);
    expect(network.nodes.map((n) => n.ip)).toEqual(['192.168.0.1', '192.168.0.2', '192.168.0.3']);
    // each VM joined with its own IP: a service in it answers at that IP (see proxy.test.ts)
    const { stdout } = await activities[1]!.run('tcp-echo 7');
    expect(stdout).toBe('tcp-echo: listening on port 7\n');
  });

  it('refuses, typed, what it knows yagna would not do: bad options, addresses, members', async () => {
    expect(() => node.createNetwork({ ip: '192.168.0.0/40' })).toThrow(
      expect.objectContaining({ name: 'NetworkError', code: 'invalidAddress' }),
    );
    expect(() => node.createNetwork({ ip: '10.0.0.0/24', requestorIp: '10.0.1.1' })).toThrow(
      expect.objectContaining({ code: 'addressOutOfRange' }),
    );
    const network = await node.createNetwork({ ip: '10.0.0.0/30' }); // hosts .1 (requestor) and .2
    await network.addNode(A);
    const refused = async (promise: PromiseLike<unknown>) => {
      const error = await Promise.resolve(promise).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isNetworkError(error), String(error)).toBe(true);
      return (error as { code: string }).code;
    };
    expect(await refused(network.addNode(B))).toBe('noFreeAddress');
    expect(await refused(network.addNode(B, '10.0.0.2'))).toBe('addressTaken');
    expect(await refused(network.addNode(B, '10.0.0.3'))).toBe('addressOutOfRange'); // broadcast
    expect(await refused(network.addNode(B, '10.0.0.300'))).toBe('invalidAddress');
    expect(() => network.deployArgs(B)).toThrow(expect.objectContaining({ code: 'notMember' }));
    await network.remove();
    expect(network.closed).toBe(true);
    expect(await refused(network.addNode(B))).toBe('removed');
    expect(() => network.deployArgs(A)).toThrow(expect.objectContaining({ code: 'removed' }));
    // what yagna refuses arrives as the client's errors
    const error = await Promise.resolve(network.api.getNetwork(network.id)).catch((e: unknown) => e);
    expect(isYagnaNotFoundError(error)).toBe(true);
  });

  it('removes the network: gone from devnet; remove() again does nothing', async () => {
    const network = await node.createNetwork();
    await network.addNode(A);
    await network.remove();
    await network.remove();
    expect(netStats(devnet)).toMatchObject({ networks: 0, nodes: 0 });
  });

  it('node.close() removes the networks left (after the activities), and reports nothing open', async () => {
    const network = await node.createNetwork();
    await rentInNetwork(node, network, 1);
    const kept = await node.createNetwork({ ip: '10.9.0.0/24', autoclose: false });
    const report = await node.close();
    expect(report.failures).toEqual([]);
    expect(network.closed).toBe(true);
    expect(kept.closed).toBe(false);
    expect(netStats(devnet).networks).toBe(1);
    await kept.remove();
    expect(netStats(devnet).networks).toBe(0);
  });
});
