/**
 * Offer properties and priced proposals for tests: realistic `golem.*` properties from a few
 * numbers, so that a strategy reading prices, threads or memory can be tested without devnet.
 *
 * @module
 */
import { Decimal } from 'decimal.js';
import { USAGE } from '../api/pricing.js';
import type { DraftProposal } from '../ports/index.js';
import { type FakeDraftProposal, type FakeOfferProposal, fakeOfferProposal } from './fakes.js';

/** Prices of an offer, in GLM; what is left out is 0. */
export interface OfferPrice {
  /** The start price (the fixed coefficient). */
  readonly start?: Decimal.Value;
  /** Per CPU second. */
  readonly cpuSec?: Decimal.Value;
  /** Per second of duration. */
  readonly durationSec?: Decimal.Value;
}

/** What {@link offerProperties} builds an offer from. Every field has a default. */
export interface OfferSpec {
  /** @default all 0 */
  readonly price?: OfferPrice;
  /**
   * The counters' names and order: `'old'` (`golem.usage.duration_sec`, `golem.usage.cpu_sec`),
   * `'new'` (`golem.usage.duration-sec`, `golem.usage.cpu-sec`), or the exact list (then `price`
   * is ignored and `coeffs` is used).
   * @default 'old'
   */
  readonly usageVector?: 'old' | 'new' | readonly string[];
  /** With an explicit `usageVector`: the coefficients, one per counter, then the start price. */
  readonly coeffs?: readonly number[];
  /** @default 4 */
  readonly threads?: number;
  /** @default 8 */
  readonly memGib?: number;
  /** @default 100 */
  readonly storageGib?: number;
  /** `golem.runtime.name`. @default 'vm' */
  readonly runtime?: string;
  /** `golem.node.id.name`. @default 'test-provider' */
  readonly name?: string;
  /** @default 'public' */
  readonly subnet?: string;
  /** `golem.runtime.capabilities`. @default ['vpn'] */
  readonly capabilities?: readonly string[];
  /** The payment platforms the provider has an address on. @default ['erc20-holesky-tglm'] */
  readonly platforms?: readonly string[];
  /** The address on those platforms. @default '0x' + 40 zeros */
  readonly address?: string;
  /** Extra properties, merged last (they override the above). */
  readonly properties?: Readonly<Record<string, unknown>>;
}

function num(value: Decimal.Value | undefined): number {
  return new Decimal(value ?? 0).toNumber();
}

/**
 * Builds an offer's flat properties: linear pricing "pay as you use" with the given prices,
 * hardware (`golem.inf.*`), runtime, name, subnet and payment platforms, as devnet's and real
 * providers' offers have them.
 *
 * @example
 * ```ts
 * const props = offerProperties({ price: { start: 0, cpuSec: '0.0001', durationSec: '0.00002' }, threads: 8 });
 * props['golem.com.pricing.model.linear.coeffs']; // [0.00002, 0.0001, 0] (duration, cpu, start)
 * ```
 */
export function offerProperties(spec: OfferSpec = {}): Record<string, unknown> {
  const { price = {} } = spec;
  let usageVector: readonly string[];
  let coeffs: readonly number[];
  if (Array.isArray(spec.usageVector)) {
    usageVector = spec.usageVector as readonly string[];
    coeffs = spec.coeffs ?? [...usageVector.map(() => 0), num(price.start)];
  } else {
    const names =
      spec.usageVector === 'new'
        ? ['golem.usage.duration-sec', 'golem.usage.cpu-sec']
        : [USAGE.durationSec, USAGE.cpuSec];
    usageVector = names;
    coeffs = [num(price.durationSec), num(price.cpuSec), num(price.start)];
  }
  const threads = spec.threads ?? 4;
  const properties: Record<string, unknown> = {
    'golem.com.pricing.model': 'linear',
    'golem.com.pricing.model.linear.coeffs': [...coeffs],
    'golem.com.scheme': 'payu',
    'golem.com.usage.vector': [...usageVector],
    'golem.com.payment.debit-notes.accept-timeout?': 240,
    'golem.com.scheme.payu.debit-note.interval-sec?': 120,
    'golem.com.scheme.payu.payment-timeout-sec?': 120,
    'golem.inf.cpu.architecture': 'x86_64',
    'golem.inf.cpu.cores': Math.max(1, Math.floor(threads / 2)),
    'golem.inf.cpu.threads': threads,
    'golem.inf.mem.gib': spec.memGib ?? 8,
    'golem.inf.storage.gib': spec.storageGib ?? 100,
    'golem.node.debug.subnet': spec.subnet ?? 'public',
    'golem.node.id.name': spec.name ?? 'test-provider',
    'golem.runtime.name': spec.runtime ?? 'vm',
    'golem.runtime.capabilities': [...(spec.capabilities ?? ['vpn'])],
    'golem.srv.caps.multi-activity': true,
  };
  const address = spec.address ?? `0x${'0'.repeat(40)}`;
  for (const platform of spec.platforms ?? ['erc20-holesky-tglm']) {
    properties[`golem.com.payment.platform.${platform}.address`] = address;
  }
  return { ...properties, ...spec.properties };
}

/** What {@link fakeOffer} takes: an {@link OfferSpec} and the fake's identity and calls. */
export interface FakeOfferInit<D extends DraftProposal = FakeDraftProposal>
  extends OfferSpec, Omit<Parameters<typeof fakeOfferProposal<D>>[0], 'properties' | 'price'> {}

/**
 * A fake offer proposal (see `fakeOfferProposal`) whose properties are {@link offerProperties} of
 * `init`; its `price` is the cost of one hour of one busy thread (`start + 3600 × (cpuSec +
 * durationSec)`).
 *
 * @example
 * ```ts
 * const a = fakeOffer({ id: 'a', price: { cpuSec: '0.0001' }, respond: cold('--d|', { d: draftA }) });
 * ```
 */
export function fakeOffer<D extends DraftProposal = FakeDraftProposal>(
  init: FakeOfferInit<D>,
): FakeOfferProposal<D> {
  const { price = {} } = init;
  const hour = new Decimal(price.cpuSec ?? 0)
    .plus(price.durationSec ?? 0)
    .times(3600)
    .plus(price.start ?? 0);
  return fakeOfferProposal<D>({
    id: init.id,
    ...(init.providerId === undefined ? {} : { providerId: init.providerId }),
    ...(init.expiresAt === undefined ? {} : { expiresAt: init.expiresAt }),
    ...(init.respond === undefined ? {} : { respond: init.respond }),
    ...(init.reject === undefined ? {} : { reject: init.reject }),
    properties: offerProperties({ name: init.providerId ?? init.id, ...init }),
    price: hour,
  });
}
