/**
 * GLM amounts in devnet's payment module: `Decimal` inside, decimal strings on the wire.
 */
import { Decimal } from 'decimal.js';

const DECIMAL_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/**
 * Reads a wire amount: a decimal string (yagna's BigDecimal text) or, as Real yagna also accepts,
 * a finite JSON number. `undefined` for anything else (`"NaN"`, `"0x10"`, `"abc"`, objects).
 */
export function parseAmount(value: unknown): Decimal | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? new Decimal(value) : undefined;
  if (typeof value === 'string' && DECIMAL_TEXT.test(value)) return new Decimal(value.trim());
  return undefined;
}

/** GLM has 18 decimals: amounts computed by devnet are rounded to them. */
export function toGlm(amount: Decimal): Decimal {
  return amount.toDecimalPlaces(18, Decimal.ROUND_HALF_UP);
}

/** The wire form: plain decimal notation, never an exponent (`"0.0000001"`, not `"1e-7"`). */
export function wire(amount: Decimal): string {
  return amount.toFixed();
}

/** Σ of amounts. */
export function sum(amounts: Iterable<Decimal>): Decimal {
  let total = new Decimal(0);
  for (const a of amounts) total = total.plus(a);
  return total;
}
