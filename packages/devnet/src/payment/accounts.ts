/**
 * The requestor's payment accounts in devnet: one per supported platform, all at the requestor's
 * NodeId, each funded with a large but finite balance so that an allocation over it is refused.
 */
import { Decimal } from 'decimal.js';
import type { AccountDto } from 'golem-rx';
import { DevnetHttpError } from '../errors/DevnetHttpError.js';

/** A payment platform devnet supports. */
export interface PlatformInfo {
  /** `driver-network-token`, lowercase, e.g. `erc20-holesky-tglm`. */
  readonly platform: string;
  readonly driver: string;
  readonly network: string;
  /** As yagna spells it in accounts: `tGLM` or `GLM`. */
  readonly token: string;
}

/** The platforms of devnet's requestor accounts. */
export const PLATFORMS: readonly PlatformInfo[] = [
  { platform: 'erc20-holesky-tglm', driver: 'erc20', network: 'holesky', token: 'tGLM' },
  { platform: 'erc20-hoodi-tglm', driver: 'erc20', network: 'hoodi', token: 'tGLM' },
  { platform: 'erc20-sepolia-tglm', driver: 'erc20', network: 'sepolia', token: 'tGLM' },
  { platform: 'erc20-polygon-glm', driver: 'erc20', network: 'polygon', token: 'GLM' },
];

/** The platform of an allocation created without `paymentPlatform` (Real yagna 0.17: holesky). */
export const DEFAULT_PLATFORM = 'erc20-holesky-tglm';

/** The funded balance of each account unless configured: 1 000 000 tGLM on testnets, 10 000 GLM on polygon. */
export const DEFAULT_BALANCES: Readonly<Record<string, string>> = {
  'erc20-holesky-tglm': '1000000',
  'erc20-hoodi-tglm': '1000000',
  'erc20-sepolia-tglm': '1000000',
  'erc20-polygon-glm': '10000',
};

/** Looks a platform up by its name (case-insensitive). */
export function findPlatform(name: string): PlatformInfo | undefined {
  const lower = name.toLowerCase();
  return PLATFORMS.find((p) => p.platform === lower);
}

/**
 * Resolves `NewAllocation.paymentPlatform`: absent → the default; a string must name a supported
 * platform; an object `{driver?, network?, token?}` is completed with `erc20`, `holesky` and the
 * network's token. Throws a 400 {@link HttpProblem} otherwise.
 */
export function resolvePlatform(input: unknown): PlatformInfo {
  if (input === undefined || input === null) return findPlatform(DEFAULT_PLATFORM) as PlatformInfo;
  if (typeof input === 'string') {
    const found = findPlatform(input);
    if (found === undefined) throw new DevnetHttpError(400, `Unsupported payment platform: ${input}`);
    return found;
  }
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new DevnetHttpError(400, 'paymentPlatform must be a string or an object {driver, network, token}');
  }
  const obj = input as Record<string, unknown>;
  for (const k of ['driver', 'network', 'token']) {
    if (obj[k] !== undefined && obj[k] !== null && typeof obj[k] !== 'string') {
      throw new DevnetHttpError(400, `paymentPlatform.${k} must be a string`);
    }
  }
  const driver = typeof obj.driver === 'string' ? obj.driver.toLowerCase() : 'erc20';
  const network = typeof obj.network === 'string' ? obj.network.toLowerCase() : 'holesky';
  const byNetwork = PLATFORMS.find((p) => p.driver === driver && p.network === network);
  if (byNetwork === undefined) {
    throw new DevnetHttpError(400, `Unsupported payment platform: driver ${driver}, network ${network}`);
  }
  if (typeof obj.token === 'string' && obj.token.toLowerCase() !== byNetwork.token.toLowerCase()) {
    throw new DevnetHttpError(400, `Token ${obj.token} is not supported on network ${network}`);
  }
  return byNetwork;
}

/** `GET /requestorAccounts`: one sending account per platform, at the requestor's address. */
export function requestorAccounts(address: string): AccountDto[] {
  return PLATFORMS.map((p) => ({
    platform: p.platform,
    address,
    driver: p.driver,
    network: p.network,
    token: p.token,
    send: true,
    receive: false,
  }));
}

/** The funded balance of each platform, configured values over the defaults. */
export function balances(configured: Readonly<Record<string, string>> = {}): Map<string, Decimal> {
  const out = new Map<string, Decimal>();
  for (const p of PLATFORMS) {
    out.set(p.platform, new Decimal(configured[p.platform] ?? DEFAULT_BALANCES[p.platform] ?? '0'));
  }
  return out;
}
