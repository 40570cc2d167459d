/**
 * The network side of one simulated VM (one activity): the VPNs its `deploy` joined (`net`: the
 * network id and the VM's IP in it), and the TCP services listening in its namespace, started by
 * the `tcp-echo` and `http-server` commands.
 */
import type { DeployCommandBody } from '../exeunit/exescript.js';
import type { CommandContext, CommandHandler } from '../exeunit/shell/types.js';
import { parseIpv4, toIp, toNet } from './ipv4.js';
import { type TcpService, echoService, httpService } from './services.js';

/** The VM of one activity. */
export class Vm {
  /** Port → the service listening on it. */
  readonly services = new Map<number, TcpService>();
  /** Network id → the VM's IP in it (set by `deploy`). */
  readonly attachments = new Map<string, number>();
  private endedValue = false;

  /**
   * @param activityId its activity
   * @param providerId the provider running it (its node id in the networks)
   * @param vpn does the provider's runtime offer the `vpn` capability?
   * @param ended called once when the VM ends (its connections end with it)
   */
  constructor(
    readonly activityId: string,
    readonly providerId: string,
    private readonly vpn: boolean,
    private readonly ended: (vm: Vm) => void,
  ) {}

  /** Has the activity ended (its services are gone)? */
  get isEnded(): boolean {
    return this.endedValue;
  }

  /**
   * The `deploy` hook: joins the networks of `net` as the exe-unit does (`Deployment::extend_networks`).
   * @returns why the deploy fails, or `undefined`
   */
  deploy(body: DeployCommandBody): string | undefined {
    const networks = body.net ?? [];
    if (networks.length > 0 && !this.vpn) return 'Deployment failed: the runtime does not support VPN';
    const joined = new Map<string, number>();
    for (const net of networks) {
      const range = toNet(net.ip, net.mask);
      if (typeof range === 'string') return `Deployment failed: network ${net.id}: ${range}`;
      const nodeIp = parseIpv4(net.nodeIp ?? '');
      if (nodeIp === undefined)
        return `Deployment failed: network ${net.id}: Invalid IP address: ${net.nodeIp ?? ''}`;
      for (const ip of [
        ...Object.keys(net.nodes ?? {}),
        ...(net.gateway === undefined ? [] : [net.gateway]),
      ]) {
        const value = toIp(ip);
        if (typeof value === 'string') return `Deployment failed: network ${net.id}: ${value}`;
      }
      joined.set(net.id, nodeIp);
    }
    for (const [id, ip] of joined) this.attachments.set(id, ip);
    return undefined;
  }

  /** The commands that start services in this VM (by name, as shell builtins). */
  handlers(): Record<string, CommandHandler> {
    return {
      'tcp-echo': (args, ctx) => this.start(args, ctx, 'PORT', () => echoService),
      'http-server': (args, ctx) =>
        this.start(args, ctx, 'PORT [DIRECTORY]', () => {
          const dir = ctx.resolvePath(args[1] ?? '.');
          if (!ctx.fs.isDir(dir)) throw new Error(`${dir}: No such directory`);
          return httpService(ctx.fs, dir);
        }),
    };
  }

  /** The activity ended: its services stop. Idempotent. */
  end(): void {
    if (this.endedValue) return;
    this.endedValue = true;
    this.services.clear();
    this.ended(this);
  }

  private start(args: readonly string[], ctx: CommandContext, usage: string, make: () => TcpService): number {
    const port = Number(args[0]);
    if (args.length === 0 || !Number.isInteger(port) || port < 1 || port > 65_535) {
      ctx.stderr(`usage: ${ctx.name} ${usage}\n`);
      return 2;
    }
    if (this.services.has(port)) {
      ctx.stderr(`${ctx.name}: port ${port}: Address already in use\n`);
      return 1;
    }
    this.services.set(port, make());
    ctx.stdout(`${ctx.name}: listening on port ${port}\n`);
    return 0;
  }
}
