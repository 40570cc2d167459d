/**
 * Parsers of command-line values. Each throws commander's `InvalidArgumentError`, which commander
 * turns into a one-line usage error naming the flag or argument.
 */
import { InvalidArgumentError } from 'commander';
import { Decimal } from 'decimal.js';
import { AMOUNT_DECIMALS } from 'golem-rx';
import type { DocumentStatus } from 'golem-rx';

const AMOUNT = /^(?:\d+(?:\.\d*)?|\.\d+)$/;
const DURATION = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** The longest duration a timer can wait (2^31 − 1 ms, about 24.8 days = 596 h). */
export const MAX_DURATION_MS = 2_147_483_647;

/** The furthest an expiry may lie ahead: 10 years (87 600 h). */
export const MAX_EXPIRY_MS = 10 * 365 * 24 * 3_600_000;

/**
 * A positive GLM amount in plain decimal notation (`5`, `0.25`, `.5`); no sign, no exponent, at
 * most 18 decimals (GLM is an ERC-20 token with 18 decimals: a finer amount cannot be paid).
 * @throws InvalidArgumentError otherwise
 */
export function parseAmount(text: string): Decimal {
  const trimmed = text.trim();
  if (!AMOUNT.test(trimmed)) {
    throw new InvalidArgumentError(`expected a positive decimal amount such as 5 or 0.25, got "${text}"`);
  }
  const amount = new Decimal(trimmed);
  if (amount.lte(0)) throw new InvalidArgumentError(`the amount must be above 0, got "${text}"`);
  if (amount.decimalPlaces() > AMOUNT_DECIMALS) {
    throw new InvalidArgumentError(
      `GLM has ${AMOUNT_DECIMALS} decimals: the smallest amount is 0.${'0'.repeat(AMOUNT_DECIMALS - 1)}1, got "${text}"`,
    );
  }
  return amount;
}

/** The milliseconds of a duration text, rounded, or `undefined` when it is not one. */
function durationMs(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  const ms = match === null ? NaN : Math.round(Number(match[1]) * (UNIT_MS[match[2] ?? 's'] ?? NaN));
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

const DURATION_EXAMPLES = 'a duration such as 30s, 5m, 1h or plain seconds';

/**
 * A positive duration in milliseconds: `30s`, `5m`, `1h`, `250ms`, or plain seconds (`45`, `1.5`),
 * at most {@link MAX_DURATION_MS} (what a timer can wait).
 * @throws InvalidArgumentError otherwise
 */
export function parseDuration(text: string): number {
  const ms = durationMs(text);
  if (ms === undefined) throw new InvalidArgumentError(`expected ${DURATION_EXAMPLES}, got "${text}"`);
  if (ms > MAX_DURATION_MS) {
    throw new InvalidArgumentError(`expected a duration of at most 596h (about 24 days), got "${text}"`);
  }
  return ms;
}

/**
 * How far ahead something expires, in milliseconds: a duration as {@link parseDuration} reads
 * it, at most {@link MAX_EXPIRY_MS} (10 years), so that now + it is always a valid date.
 * @throws InvalidArgumentError otherwise
 */
export function parseExpiry(text: string): number {
  const ms = durationMs(text);
  if (ms === undefined) throw new InvalidArgumentError(`expected ${DURATION_EXAMPLES}, got "${text}"`);
  if (ms > MAX_EXPIRY_MS) {
    throw new InvalidArgumentError(`expected an expiry of at most 87600h (10 years), got "${text}"`);
  }
  return ms;
}

/**
 * A positive integer.
 * @throws InvalidArgumentError otherwise
 */
export function parsePositiveInt(text: string): number {
  const n = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`expected a positive integer, got "${text}"`);
  }
  return n;
}

/** The statuses of an invoice or debit note (REQUESTOR-GUIDE §5.3). */
export const DOCUMENT_STATUSES: readonly DocumentStatus[] = [
  'ISSUED',
  'RECEIVED',
  'ACCEPTED',
  'REJECTED',
  'FAILED',
  'SETTLED',
  'CANCELLED',
];

/**
 * An invoice status, case-insensitive (`received` → `RECEIVED`).
 * @throws InvalidArgumentError on anything else
 */
export function parseDocumentStatus(text: string): DocumentStatus {
  const upper = text.trim().toUpperCase();
  const status = DOCUMENT_STATUSES.find((s) => s === upper);
  if (status === undefined) {
    throw new InvalidArgumentError(`expected one of ${DOCUMENT_STATUSES.join(', ')}, got "${text}"`);
  }
  return status;
}

/**
 * A non-empty word such as a runtime name or a subnet tag: letters, digits, `.`, `_`, `-`
 * (anything else could break out of the demand's constraint expression).
 * @throws InvalidArgumentError otherwise
 */
export function parseTag(text: string): string {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9._-]+$/.test(trimmed)) {
    throw new InvalidArgumentError(`expected letters, digits, '.', '_' or '-', got "${text}"`);
  }
  return trimmed;
}

/** Formats milliseconds as the shortest of `1h`, `5m`, `30s`, `250ms`, `1.5s`. */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return ms < 1_000 ? `${ms}ms` : `${ms / 1_000}s`;
}
