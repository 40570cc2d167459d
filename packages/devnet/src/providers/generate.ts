/**
 * Generates the simulated providers of a devnet from a seed: names, ids, hardware, prices,
 * payment platforms and subnets, with the offer properties of §6.2 of the requestor guide.
 * The same seed (and subnet mix) gives the same providers with the same properties.
 */
import type { Properties } from 'golem-rx';
import { parseConstraints } from '../market/constraints.js';
import { mulberry32, newNodeId, newSubscriptionId, pick, randomInt } from '../random.js';
import { PROVIDER_LIMITS, type SimulatedProvider } from './types.js';

/** How to generate providers. */
export interface GenerateProvidersOptions {
  readonly count: number;
  readonly seed: number;
  /** Subnet tag → weight; default `{ public: 1 }`. */
  readonly subnets?: Readonly<Record<string, number>>;
  /** Offer publication time (ms since epoch): the offers' expiration constraint. */
  readonly nowMs: number;
  /** RFC 3339 of the offers' timestamp. */
  readonly timestamp: string;
}

const ADJECTIVES = [
  'fragrant',
  'sharp',
  'silent',
  'brave',
  'calm',
  'eager',
  'fancy',
  'gentle',
  'jolly',
  'lively',
  'proud',
  'quick',
  'rapid',
  'shiny',
  'swift',
  'witty',
  'zesty',
  'bold',
  'crisp',
  'dusty',
];
const NOUNS = [
  'lizard',
  'elk',
  'otter',
  'falcon',
  'badger',
  'heron',
  'lynx',
  'marmot',
  'newt',
  'orca',
  'panda',
  'quail',
  'raven',
  'stoat',
  'tapir',
  'viper',
  'walrus',
  'yak',
  'zebra',
  'bison',
];
const CPUS = [
  {
    vendor: 'GenuineIntel',
    brand: 'Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz',
    model: 'Stepping 1 Family 6 Model 79',
  },
  {
    vendor: 'GenuineIntel',
    brand: 'Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz',
    model: 'Stepping 10 Family 6 Model 158',
  },
  {
    vendor: 'AuthenticAMD',
    brand: 'AMD EPYC 7502P 32-Core Processor',
    model: 'Stepping 0 Family 23 Model 49',
  },
  {
    vendor: 'AuthenticAMD',
    brand: 'AMD Ryzen 9 5950X 16-Core Processor',
    model: 'Stepping 0 Family 25 Model 33',
  },
];
const CPU_CAPABILITIES = ['sse3', 'ssse3', 'sse4.1', 'sse4.2', 'avx', 'avx2', 'aes', 'fma', 'vmx'];
const THREADS = [1, 2, 4, 4, 8, 8, 12, 16, 32, 64];
const MEMORY_GIB = [1, 2, 4, 8, 16, 32, 64, 128];
const TESTNET_PLATFORMS = ['erc20-holesky-tglm', 'erc20-hoodi-tglm'];
const MAINNET_PLATFORM = 'erc20-polygon-glm';
const USAGE_CPU = 'golem.usage.cpu_sec';
const USAGE_DURATION = 'golem.usage.duration_sec';

/** Generates `options.count` providers. Deterministic in `seed` and `subnets`. */
export function generateProviders(options: GenerateProvidersOptions): SimulatedProvider[] {
  const random = mulberry32(options.seed ^ 0x5eed1e55);
  const subnets = Object.entries(options.subnets ?? { public: 1 }).filter(([, w]) => w > 0);
  const totalWeight = subnets.reduce((sum, [, w]) => sum + w, 0);
  const constraints = `(&\n  (golem.srv.comp.expiration>${Math.floor(options.nowMs)})\n)`;
  const parsedConstraints = parseConstraints(constraints);
  const names = new Set<string>();
  const providers: SimulatedProvider[] = [];
  for (let i = 0; i < options.count; i++) {
    const id = newNodeId(random);
    const offerId = newSubscriptionId(random);
    let name = `${pick(random, ADJECTIVES)}-${pick(random, NOUNS)}`;
    if (names.has(name)) name = `${name}-${i}`;
    names.add(name);
    let roll = random() * totalWeight;
    let subnet = subnets[0]?.[0] ?? 'public';
    for (const [tag, weight] of subnets) {
      roll -= weight;
      if (roll < 0) {
        subnet = tag;
        break;
      }
    }
    const platforms = random() < 0.3 ? [...TESTNET_PLATFORMS, MAINNET_PLATFORM] : [...TESTNET_PLATFORMS];
    const properties = offerProperties(random, { id, name, subnet, platforms });
    providers.push({
      id,
      name,
      offerId,
      subnet,
      platforms,
      properties,
      constraints,
      parsedConstraints,
      timestamp: options.timestamp,
    });
  }
  return providers;
}

function offerProperties(
  random: () => number,
  who: { id: string; name: string; subnet: string; platforms: readonly string[] },
): Readonly<Properties> {
  const cpu = pick(random, CPUS);
  const threads = pick(random, THREADS);
  const memGib = round(pick(random, MEMORY_GIB) * (0.92 + random() * 0.07), 3);
  const storageGib = round(randomInt(random, 20, 1000) + random(), 3);
  // prices in GLM: per CPU-hour, per hour, start fee
  const cpuPerHour = 0.01 + random() * 0.3;
  const envPerHour = 0.005 + random() * 0.1;
  const start = random() < 0.5 ? 0 : round(random() * 0.01, 6);
  const cpuFirst = random() < 0.8;
  const usageVector = cpuFirst ? [USAGE_CPU, USAGE_DURATION] : [USAGE_DURATION, USAGE_CPU];
  const cpuSec = sig(cpuPerHour / 3600);
  const durSec = sig(envPerHour / 3600);
  const coeffs = cpuFirst ? [cpuSec, durSec, start] : [durSec, cpuSec, start];
  const capabilities = CPU_CAPABILITIES.filter(() => random() < 0.8);
  const props: Properties = {
    'golem.activity.caps.transfer.protocol': ['gftp', 'http', 'https'],
    'golem.com.payment.debit-notes.accept-timeout?': PROVIDER_LIMITS.acceptTimeoutSec,
    'golem.com.payment.protocol.version': 3,
    'golem.com.pricing.model': 'linear',
    'golem.com.pricing.model.linear.coeffs': coeffs,
    'golem.com.scheme': 'payu',
    'golem.com.scheme.payu.debit-note.interval-sec?': PROVIDER_LIMITS.debitNoteIntervalSec,
    'golem.com.scheme.payu.payment-timeout-sec?': PROVIDER_LIMITS.paymentTimeoutSec,
    'golem.com.usage.vector': usageVector,
    'golem.inf.cpu.architecture': 'x86_64',
    'golem.inf.cpu.brand': cpu.brand,
    'golem.inf.cpu.capabilities': capabilities,
    'golem.inf.cpu.cores': Math.max(1, Math.floor(threads / 2)),
    'golem.inf.cpu.model': cpu.model,
    'golem.inf.cpu.threads': threads,
    'golem.inf.cpu.vendor': cpu.vendor,
    'golem.inf.mem.gib': memGib,
    'golem.inf.storage.gib': storageGib,
    'golem.node.debug.subnet': who.subnet,
    'golem.node.id.name': who.name,
    'golem.node.net.is-public': random() < 0.3,
    'golem.runtime.capabilities': ['inet', 'vpn', 'manifest-support', 'start-entrypoint'],
    'golem.runtime.name': 'vm',
    'golem.runtime.version': pick(random, ['0.4.2', '0.5.1', '0.5.3']),
    'golem.srv.caps.multi-activity': true,
    'golem.srv.caps.payload-manifest': true,
  };
  for (const platform of who.platforms) props[`golem.com.payment.platform.${platform}.address`] = who.id;
  return Object.freeze(props);
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Six significant digits, as a JSON number. */
function sig(x: number): number {
  return Number(x.toPrecision(6));
}
