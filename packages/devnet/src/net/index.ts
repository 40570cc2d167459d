/**
 * devnet's net module: yagna's net API (VPN) under `/net-api/v1` and `/net-api/v2/vpn` (networks,
 * the requestor's addresses, nodes) and its TCP websocket, which reaches a service in a simulated
 * VM: the VM joins a network through its `deploy` command's `net` argument and starts services
 * with the `tcp-echo` and `http-server` commands, in memory (no real socket on the provider side).
 */
import type { FastifyInstance } from 'fastify';
import type { ActivityVm, VmHost } from '../activity/registry.js';
import type { DevnetContext, DevnetModule } from '../contracts.js';
import type { UpgradeRoute } from '../upgrade.js';
import { toIp } from './ipv4.js';
import { NetworkRegistry } from './networks.js';
import { registerNetRoutes } from './routes.js';
import { TcpBridges, type TcpResolution } from './tcp.js';
import { Vm } from './vm.js';

export { NET_PREFIXES } from './routes.js';
export { CLIENT_TIMEOUT_MS, HEARTBEAT_MS } from './tcp.js';
export type { TcpConnection, TcpPeer, TcpService } from './services.js';

/** What `GET /_devnet/stats` reports under `net`. */
export interface NetStats {
  /** Networks that exist, and their nodes (one per IP). */
  readonly networks: number;
  readonly nodes: number;
  /** TCP websockets open now. */
  readonly connections: number;
  /** Services listening in VMs that have not ended. */
  readonly services: number;
}

/** The net module: a devnet module, and the network side of each activity's VM. */
export interface NetModule extends DevnetModule, VmHost {
  /** The TCP websocket, for devnet's upgrade router. */
  readonly socketRoute: UpgradeRoute;
}

/** Creates the net module (route its `socketRoute` through devnet's upgrade router). */
export function createNetModule(ctx: DevnetContext): NetModule {
  const bridges = new TcpBridges(ctx.scheduler);
  const vms = new Map<string, Vm>();
  const registry = new NetworkRegistry(ctx.random, {
    networkRemoved: (network) => bridges.drop((target) => target.network === network),
    nodeRemoved: (network, _nodeId, ips) =>
      bridges.drop((target) => target.network === network && ips.includes(target.ip)),
  });

  const resolve = (networkId: string, ip: string, port: string): TcpResolution => {
    const portNumber = /^\d{1,5}$/.test(port) ? Number(port) : NaN;
    if (!(portNumber >= 0 && portNumber <= 65_535)) return { status: 404, message: `Invalid port: ${port}` };
    const network = registry.lookup(networkId);
    if (network === 404) return { status: 404, message: 'Network not found' };
    if (network === 403) return { status: 403 };
    const address = toIp(ip);
    if (typeof address === 'string') return { status: 400, message: address };
    // No node at that IP, or no VM of it in the network: the connection attempt times out (Real,
    // after the stack's connect timeout; devnet answers at once).
    const nodeId = network.endpoints.get(address);
    const vm = [...vms.values()].find(
      (v) => !v.isEnded && v.providerId === nodeId && v.attachments.get(network.id) === address,
    );
    if (vm === undefined) return { status: 504 };
    const service = vm.services.get(portNumber);
    if (service === undefined) return { status: 400, message: `Connection refused: ${ip}:${port}` };
    return { network, vm, ip: address, service };
  };
  // yagna's VpnSupervisor lives in memory: a restart loses the networks (and their connections)
  const restarts = ctx.restart$.subscribe(() => registry.clear());

  let closed = false;
  return {
    socketRoute: bridges.socketRoute(resolve),
    vmOf(activity): ActivityVm {
      const capabilities = activity.offerProperties['golem.runtime.capabilities'];
      const vpn = Array.isArray(capabilities) && capabilities.includes('vpn');
      const vm = new Vm(activity.activityId, activity.providerId, vpn, (ended) => {
        vms.delete(ended.activityId);
        bridges.drop((target) => target.vm === ended);
      });
      vms.set(activity.activityId, vm);
      return vm;
    },
    register(app: FastifyInstance): void {
      registerNetRoutes(app, registry);
    },
    stats(): Record<string, unknown> {
      let services = 0;
      for (const vm of vms.values()) services += vm.services.size;
      const net: NetStats = { ...registry.stats(), connections: bridges.count, services };
      return { net };
    },
    close(): void {
      if (closed) return;
      closed = true;
      restarts.unsubscribe();
      bridges.close();
      for (const vm of [...vms.values()]) vm.end();
    },
  };
}
