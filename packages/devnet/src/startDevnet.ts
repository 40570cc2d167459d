/**
 * `startDevnet`: a local yagna twin on loopback with N simulated providers, the same REST
 * contract as yagna (shared/yagna-api/REQUESTOR-GUIDE.md), an image registry, fault injection
 * and stats. Seeded, so a seed reproduces the same market.
 */
import { randomBytes } from 'node:crypto';
import { asyncScheduler, Subject } from 'rxjs';
import { formatMs } from './clock.js';
import { isOriginPattern } from './cors.js';
import type { DevnetContext, DevnetModule, Fault } from './contracts.js';
import { DevnetConfigError } from './errors/DevnetConfigError.js';
import { DevnetFaultPlan, parseFaultSpec } from './faults.js';
import { createGsbModule } from './gsb/index.js';
import { registerIdentityRoutes } from './identity.js';
import { ImageRegistry } from './images.js';
import { createMarketModule } from './market/index.js';
import { createServiceModules } from './modules.js';
import type { DevnetHandle, DevnetOptions, DevnetStats } from './options.js';
import { generateProviders } from './providers/generate.js';
import { mulberry32, newNodeId } from './random.js';
import { createDevnetServer } from './server.js';
import { UpgradeRouter } from './upgrade.js';

/**
 * Starts a devnet and resolves once it listens.
 *
 * @example
 * const devnet = await startDevnet({ providers: 50, seed: 7 });
 * // YAGNA_API_URL = devnet.url, YAGNA_APPKEY = devnet.appKey
 * await devnet.stop();
 * @throws DevnetConfigError on invalid options (e.g. a malformed fault SPEC).
 */
export async function startDevnet(options: DevnetOptions = {}): Promise<DevnetHandle> {
  const seed = options.seed ?? 1;
  const providerCount = options.providers ?? 20;
  const latency = options.latency ?? 0;
  const host = options.host ?? '127.0.0.1';
  if (!Number.isInteger(providerCount) || providerCount < 0) {
    throw new DevnetConfigError('providers must be a non-negative integer', {
      option: 'providers',
      value: String(providerCount),
    });
  }
  if (!(latency >= 0))
    throw new DevnetConfigError('latency must be >= 0 ms', { option: 'latency', value: String(latency) });
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new DevnetConfigError('port must be an integer from 0 to 65535', {
      option: 'port',
      value: String(port),
    });
  if (!Number.isInteger(seed))
    throw new DevnetConfigError('seed must be an integer', { option: 'seed', value: String(seed) });
  const appKey = options.appKey ?? randomBytes(16).toString('hex');
  if (appKey === '') throw new DevnetConfigError('appKey must not be empty', { option: 'appKey' });
  const allowOrigin = toOrigins(options.allowOrigin);

  const scheduler = options.scheduler ?? asyncScheduler;
  const random = mulberry32(seed);
  const faults = new DevnetFaultPlan(random);
  for (const fault of toFaults(options.faults)) faults.add(fault);
  const restart = new Subject<void>();
  const requestorId = newNodeId(mulberry32(seed ^ 0x1d3e7170));
  const gsb = createGsbModule(requestorId);
  const ctx: DevnetContext = {
    requestorId,
    appKeyName: options.appKeyName ?? 'devnet',
    scheduler,
    random,
    faults,
    restart$: restart.asObservable(),
    gsb,
  };

  const startedAt = formatMs(scheduler.now());
  const providers = generateProviders({
    count: providerCount,
    seed,
    nowMs: scheduler.now(),
    timestamp: startedAt,
    ...(options.subnets === undefined ? {} : { subnets: options.subnets }),
  });
  const market = createMarketModule(ctx, {
    providers,
    ...(options.thinkTimeMs === undefined ? {} : { thinkTimeMs: options.thinkTimeMs }),
    ...(options.approvalDelayMs === undefined ? {} : { approvalDelayMs: options.approvalDelayMs }),
    ...(options.maxAgreementsPerProvider === undefined
      ? {}
      : { maxAgreementsPerProvider: options.maxAgreementsPerProvider }),
    ...(options.demandTtlMs === undefined ? {} : { demandTtlMs: options.demandTtlMs }),
  });
  const modules: DevnetModule[] = [market, ...createServiceModules(ctx, market, options), gsb];

  const { app, counters } = createDevnetServer({
    appKey,
    allowOrigin,
    latencyMs: latency,
    faults,
    scheduler,
    logger: options.logger ?? false,
  });
  const stats = (): DevnetStats => {
    const merged: Record<string, unknown> = {};
    for (const m of modules) Object.assign(merged, m.stats());
    return { ...(merged as DevnetStats), requests: { ...counters } };
  };
  const upgrades = new UpgradeRouter({ appKey, counters });
  for (const m of modules) if (m.socketRoute !== undefined) upgrades.route(m.socketRoute);
  upgrades.attach(app.server);
  registerIdentityRoutes(app, ctx, startedAt);
  new ImageRegistry(options.images).register(app);
  app.get('/_devnet/stats', async () => stats());
  for (const m of modules) await m.register(app);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      for (const m of [...modules].reverse()) m.close();
      restart.complete();
      await app.close();
    })();
    return stopping;
  };

  try {
    await app.listen({ port, host });
  } catch (err) {
    await stop();
    throw err;
  }
  const address = app.server.address();
  const url = `http://${urlHost(host)}:${typeof address === 'object' && address !== null ? address.port : port}`;

  return {
    url,
    appKey,
    registryUrl: url,
    requestorId: ctx.requestorId,
    providers: providers.map((p) => ({
      id: p.id,
      name: p.name,
      offerId: p.offerId,
      subnet: p.subnet,
      platforms: p.platforms,
    })),
    faults,
    market,
    gsb,
    stats,
    restart: () => restart.next(),
    stop,
  };
}

function toFaults(faults: DevnetOptions['faults']): readonly Fault[] {
  if (faults === undefined) return [];
  return typeof faults === 'string' ? parseFaultSpec(faults) : faults;
}

function toOrigins(allowOrigin: DevnetOptions['allowOrigin']): readonly string[] {
  const origins = typeof allowOrigin === 'string' ? [allowOrigin] : (allowOrigin ?? []);
  for (const origin of origins) {
    if (!isOriginPattern(origin)) {
      throw new DevnetConfigError(
        `allowOrigin "${origin}" is not an origin (scheme://host[:port], no path), 'null' or '*'`,
        { option: 'allowOrigin', value: origin },
      );
    }
  }
  return origins;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
