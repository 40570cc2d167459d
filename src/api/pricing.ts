/**
 * The linear pricing model of Golem offers (STD `3-commercial/com/pricing/linear-model.md`), read
 * with decimal.js: `cost = Σ usage[i] × coeffs[i] + start`, where `usage` is ordered as
 * `golem.com.usage.vector` and the last coefficient is the fixed start price.
 *
 * Usage counters have an old and a new spelling (`golem.usage.cpu_sec` / `golem.usage.cpu-sec`,
 * `golem.usage.duration_sec` / `golem.usage.duration-sec`); every lookup here matches both
 * (see {@link canonicalUsageName}).
 *
 * It reads the wire's offer properties, so it sits with the client: `acceptPayments` (operators)
 * and the strategies above both price offers with it.
 *
 * @module
 */
import { Decimal } from 'decimal.js';
import { InvalidPricingError, isInvalidPricingError } from './errors/InvalidPricingError.js';

/** The offer properties of the linear pricing model. */
export const PRICING_PROPERTY = {
  /** `"linear"`. */
  model: 'golem.com.pricing.model',
  /** `[coeff_1, …, coeff_N, start]`. */
  coeffs: 'golem.com.pricing.model.linear.coeffs',
  /** `[counter_1, …, counter_N]`. */
  usageVector: 'golem.com.usage.vector',
  /** The billing scheme, `"payu"` (pay as you use). */
  scheme: 'golem.com.scheme',
} as const;

/** The usage counters golem-rx knows how to estimate, in their old spelling. */
export const USAGE = {
  /** CPU seconds (summed over threads). */
  cpuSec: 'golem.usage.cpu_sec',
  /** Wall-clock seconds since the exe-unit started. */
  durationSec: 'golem.usage.duration_sec',
} as const;

/** An offer's linear pricing, in decimals. */
export interface LinearPricing {
  /** The fixed price of starting an activity (the last coefficient). */
  readonly start: Decimal;
  /** The usage counters, as the offer names them, in order. */
  readonly usageVector: readonly string[];
  /** One coefficient per usage counter, in the order of {@link usageVector}. */
  readonly coeffs: readonly Decimal[];
  /** The coefficients by counter name, as the offer names them. */
  readonly perUsage: Readonly<Record<string, Decimal>>;
}

/**
 * The one spelling of a usage counter that both of its names share: `golem.usage.cpu_sec` and
 * `golem.usage.cpu-sec` both give `golem.usage.cpu-sec`. Other names are returned unchanged.
 */
export function canonicalUsageName(name: string): string {
  return name.startsWith('golem.usage.') ? name.replace(/_/g, '-') : name;
}

/**
 * A JSON number as a decimal, with the 15 significant digits the linear model specifies for
 * 64-bit floats (`floor(log10(2^52))`), so that both parties compute the same cost.
 */
export function floatToDecimal(value: number): Decimal {
  return new Decimal(value.toPrecision(15));
}

function coefficient(value: unknown, index: number): Decimal {
  if (typeof value === 'number' && Number.isFinite(value)) return floatToDecimal(value);
  if (typeof value === 'string' && /^\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(value)) {
    return new Decimal(value.trim());
  }
  throw new InvalidPricingError({
    property: PRICING_PROPERTY.coeffs,
    reason: `has a non-numeric coefficient at index ${index}`,
  });
}

/**
 * Reads an offer's linear pricing from its properties.
 *
 * @param properties - the offer's (or agreement's) flat properties.
 * @returns the start price and the per-counter coefficients, as `Decimal`s.
 * @throws {InvalidPricingError} when `golem.com.pricing.model` is set to another model, the
 * coefficients or the usage vector are missing or malformed, or there is not exactly one
 * coefficient per counter plus the start price. Negative coefficients are read as they are (the
 * strategies drop them).
 *
 * @example
 * ```ts
 * const { start, perUsage } = linearPricing(proposal.properties);
 * const perCpuHour = priceFor(linearPricing(proposal.properties), USAGE.cpuSec)?.times(3600);
 * ```
 *
 * @see {@link tryLinearPricing}
 */
export function linearPricing(properties: Readonly<Record<string, unknown>>): LinearPricing {
  const model = properties[PRICING_PROPERTY.model];
  if (model !== undefined && model !== 'linear') {
    throw new InvalidPricingError({
      property: PRICING_PROPERTY.model,
      reason: `is ${JSON.stringify(model)}`,
    });
  }
  const rawVector = properties[PRICING_PROPERTY.usageVector];
  const rawCoeffs = properties[PRICING_PROPERTY.coeffs];
  if (!Array.isArray(rawVector) || !rawVector.every((v): v is string => typeof v === 'string')) {
    throw new InvalidPricingError({
      property: PRICING_PROPERTY.usageVector,
      reason: rawVector === undefined ? 'is missing' : 'is not a list of counter names',
    });
  }
  if (!Array.isArray(rawCoeffs)) {
    throw new InvalidPricingError({
      property: PRICING_PROPERTY.coeffs,
      reason: rawCoeffs === undefined ? 'is missing' : 'is not a list',
    });
  }
  if (rawCoeffs.length !== rawVector.length + 1) {
    throw new InvalidPricingError({
      property: PRICING_PROPERTY.coeffs,
      reason: `has ${rawCoeffs.length} coefficients for ${rawVector.length} usage counters (expected ${rawVector.length + 1})`,
    });
  }
  const all = rawCoeffs.map((c: unknown, i) => coefficient(c, i));
  const coeffs = all.slice(0, -1);
  const perUsage: Record<string, Decimal> = {};
  rawVector.forEach((name, i) => (perUsage[name] = coeffs[i]!));
  return { start: all[all.length - 1]!, usageVector: [...rawVector], coeffs, perUsage };
}

/**
 * {@link linearPricing}, returning `undefined` instead of throwing on malformed properties.
 *
 * @example
 * ```ts
 * const pricing = tryLinearPricing(proposal.properties);
 * if (pricing === undefined) return null; // not priced linearly: drop it
 * ```
 */
export function tryLinearPricing(properties: Readonly<Record<string, unknown>>): LinearPricing | undefined {
  try {
    return linearPricing(properties);
  } catch (error: unknown) {
    // InvalidPricingError means "not linear pricing": that is the answer. Anything else is a bug.
    if (isInvalidPricingError(error)) return undefined;
    throw error;
  }
}

/**
 * The linear pricing of a pay-as-you-go offer (scheme `payu` or unset) whose fixed price lies
 * in `[0, maxFixed]`, as the payu strategies read it.
 *
 * @param properties the offer's properties
 * @param maxFixed the highest fixed (start) price accepted
 * @returns the pricing, or `undefined` for another scheme, a pricing that is not linear, or a
 *   fixed price that is negative or above `maxFixed`
 */
export function payuPricingWithin(
  properties: Readonly<Record<string, unknown>>,
  maxFixed: Decimal,
): LinearPricing | undefined {
  const scheme = properties[PRICING_PROPERTY.scheme];
  if (scheme !== undefined && scheme !== 'payu') return undefined;
  const pricing = tryLinearPricing(properties);
  if (pricing === undefined) return undefined;
  if (pricing.start.isNegative() || pricing.start.greaterThan(maxFixed)) return undefined;
  return pricing;
}

/**
 * The coefficient of a usage counter, whichever spelling the offer and the caller use.
 *
 * @returns the price per unit of `counter`, or `undefined` when the offer does not bill it.
 */
export function priceFor(pricing: LinearPricing, counter: string): Decimal | undefined {
  const wanted = canonicalUsageName(counter);
  const index = pricing.usageVector.findIndex((name) => canonicalUsageName(name) === wanted);
  return index < 0 ? undefined : pricing.coeffs[index];
}

/**
 * The cost of an activity under `pricing`: `start + Σ usage × coefficient`.
 *
 * @param usage - the usage counters, either in the order of the usage vector (a debit note's
 * `usageCounterVector`) or by counter name (either spelling; counters left out count as 0).
 * @throws {RangeError} when a usage array does not have one value per counter.
 *
 * @example
 * ```ts
 * linearCost(pricing, { 'golem.usage.duration_sec': 3600, 'golem.usage.cpu_sec': 7200 });
 * ```
 */
export function linearCost(
  pricing: LinearPricing,
  usage: readonly (number | Decimal)[] | Readonly<Record<string, number | Decimal>>,
): Decimal {
  const toDecimal = (v: number | Decimal): Decimal => (typeof v === 'number' ? floatToDecimal(v) : v);
  let values: Decimal[];
  if (Array.isArray(usage)) {
    const list = usage as readonly (number | Decimal)[];
    if (list.length !== pricing.coeffs.length) {
      throw new RangeError(`linearCost: ${list.length} usage values for ${pricing.coeffs.length} counters`);
    }
    values = list.map(toDecimal);
  } else {
    const byName = new Map<string, Decimal>();
    for (const [name, v] of Object.entries(usage as Readonly<Record<string, number | Decimal>>)) {
      byName.set(canonicalUsageName(name), toDecimal(v));
    }
    values = pricing.usageVector.map((name) => byName.get(canonicalUsageName(name)) ?? new Decimal(0));
  }
  return pricing.coeffs.reduce((sum, coeff, i) => sum.plus(coeff.times(values[i]!)), pricing.start);
}

/** A map from usage counter (either spelling) to a cap, keyed by {@link canonicalUsageName}. */
export function capsByCounter(caps: Readonly<Record<string, Decimal.Value>>): Map<string, Decimal> {
  const map = new Map<string, Decimal>();
  for (const [name, cap] of Object.entries(caps)) map.set(canonicalUsageName(name), new Decimal(cap));
  return map;
}
