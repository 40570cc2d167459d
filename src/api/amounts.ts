/**
 * Amounts: `Decimal` in the client's public types, decimal strings on the wire (REQUESTOR-GUIDE §2.3).
 */
import { Decimal } from 'decimal.js';
import { YagnaArgumentError } from './errors/YagnaArgumentError.js';
import { YagnaProtocolError } from './errors/YagnaProtocolError.js';

/** An amount a caller may pass: a `Decimal`, a decimal string (`"0.05"`, `"1e-3"`) or a finite number. */
export type AmountInput = Decimal | string | number;

/**
 * The decimals of the platform's token: GLM (tGLM) is an ERC-20 token with 18 decimals, so no
 * amount finer than 10⁻¹⁸ can be reserved or paid.
 */
export const AMOUNT_DECIMALS = 18;

const DECIMAL_SYNTAX = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Validates an amount and writes it as a plain decimal string (no exponent), e.g. `0.1` → `"0.1"`.
 * Trailing zeros do not count as decimals (`"1.000000000000000000000"` is `1`).
 * @param value the amount
 * @param argument the argument's name, for the error
 * @throws {YagnaArgumentError} unless the amount is a finite, non-negative decimal with at most
 *   {@link AMOUNT_DECIMALS} (18) decimals
 */
export function toWireAmount(value: AmountInput, argument: string): string {
  let decimal: Decimal | undefined;
  if (value instanceof Decimal) decimal = value;
  else if (typeof value === 'number' && Number.isFinite(value)) decimal = new Decimal(value);
  else if (typeof value === 'string' && DECIMAL_SYNTAX.test(value.trim()))
    decimal = new Decimal(value.trim());
  if (decimal === undefined || !decimal.isFinite() || decimal.isNegative()) {
    throw new YagnaArgumentError(`${argument} must be a finite, non-negative decimal amount`, { argument });
  }
  if (decimal.decimalPlaces() > AMOUNT_DECIMALS) {
    throw new YagnaArgumentError(
      `${argument} has more than ${AMOUNT_DECIMALS} decimals (${decimal.toFixed()}): GLM cannot pay less than 10^-${AMOUNT_DECIMALS}; round it first`,
      { argument },
    );
  }
  return decimal.toFixed();
}

/**
 * Reads an amount yagna sent (a decimal string; a JSON number is tolerated).
 * @param value the wire value
 * @param field the field's name, for the error
 * @param endpoint the call it came from, for the error
 * @throws {YagnaProtocolError} when it is not a decimal
 */
export function fromWireAmount(value: unknown, field: string, endpoint: string): Decimal {
  if (typeof value === 'number' && Number.isFinite(value)) return new Decimal(value);
  if (typeof value === 'string' && /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(value))
    return new Decimal(value);
  throw new YagnaProtocolError(`${endpoint} sent ${field} that is not a decimal amount`, { endpoint });
}

/** Reads an optional amount: `undefined`/`null` stay `undefined`. */
export function fromOptionalWireAmount(value: unknown, field: string, endpoint: string): Decimal | undefined {
  return value === undefined || value === null ? undefined : fromWireAmount(value, field, endpoint);
}
