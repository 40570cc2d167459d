/**
 * Structural reading of events for the status model: fields are read from `unknown` with guards,
 * so that the model depends on no class (bus events, plain objects from another process, test
 * doubles all work).
 *
 * @module
 */
import { Decimal } from 'decimal.js';

/** A non-null object, as a record to read fields from. */
export type Fields = Readonly<Record<string, unknown>>;

/** Is `value` a non-null object? */
export function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null;
}

/**
 * Reads `key` of `value`. Resource getters may throw while their data is not loaded (e.g.
 * `Proposal.providerId` before the proposal's data arrived, `ResourceDataNotLoadedError`): that
 * means "not known yet", so it reads as `undefined`.
 */
export function field(value: unknown, key: string): unknown {
  if (!isFields(value)) return undefined;
  try {
    return value[key];
  } catch {
    return undefined; // a getter without its data: the field is not known yet
  }
}

/** Reads a string field. */
export function stringField(value: unknown, key: string): string | undefined {
  const v = field(value, key);
  return typeof v === 'string' ? v : undefined;
}

/** Reads a finite number field. */
export function numberField(value: unknown, key: string): number | undefined {
  const v = field(value, key);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Reads an amount: a `Decimal` (from any copy of decimal.js), a decimal string or a number. */
export function amountField(value: unknown, key: string): Decimal | undefined {
  const v = field(value, key);
  if (Decimal.isDecimal(v)) return new Decimal(v);
  if (typeof v === 'number' && Number.isFinite(v)) return new Decimal(v);
  if (typeof v === 'string' && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v.trim())) return new Decimal(v.trim());
  return undefined;
}

/** The `kind` and `id` of an event's `resource`, when it has one. */
export function resourceOf(event: unknown): { kind: string; id: string; resource: Fields } | undefined {
  const resource = field(event, 'resource');
  const kind = stringField(resource, 'kind');
  const id = stringField(resource, 'id');
  return kind === undefined || id === undefined || !isFields(resource) ? undefined : { kind, id, resource };
}

/** A short, log-safe description of an error: `Name: message`. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (isFields(error)) {
    const message = stringField(error, 'message');
    if (message !== undefined) return `${stringField(error, 'name') ?? 'Error'}: ${message}`;
  }
  return String(error);
}
