import { Decimal } from 'decimal.js';

/**
 * Literal parsing and ordering for the typed comparisons of the constraint language:
 * numbers (as Rust's `f64::from_str`), booleans, semantic versions, RFC 3339 instants,
 * decimals, `*` wildcards and `[a,b]` list literals.
 */

/** A parsed semantic version (SemVer 2.0). Build metadata is kept but ignored by comparisons. */
export interface SemVer {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Pre-release identifiers; numeric ones as numbers. Empty for a release. */
  readonly pre: readonly (string | number)[];
}

/** An instant with nanosecond precision: seconds since the epoch and the nanoseconds within it. */
export interface Instant {
  readonly seconds: number;
  readonly nanos: number;
}

const NUMBER_RE = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)$/i;
const DECIMAL_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SEMVER_RE =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
const RFC3339_RE =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9})\d*)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Parses a number literal the way Rust's `f64::from_str` does (`1`, `-2.5e3`, `inf`, `NaN`). */
export function parseNumberLiteral(text: string): number | undefined {
  if (!NUMBER_RE.test(text)) return undefined;
  const lower = text.toLowerCase().replace(/^\+/, '');
  if (lower === 'inf' || lower === 'infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (lower === 'nan' || lower === '-nan') return NaN;
  return Number(text);
}

/** Parses `true`/`false` in any letter case. */
export function parseBooleanLiteral(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return undefined;
}

/** Parses a decimal literal with decimal.js (exact), or `undefined` if it is not one. */
export function parseDecimalLiteral(text: string): Decimal | undefined {
  return DECIMAL_RE.test(text) ? new Decimal(text) : undefined;
}

/** Parses a strict SemVer 2.0 string (`1.2.3`, `1.0.0-rc.1+build.5`). */
export function parseSemVer(text: string): SemVer | undefined {
  const m = SEMVER_RE.exec(text);
  if (m === null) return undefined;
  const pre = m[4] === undefined ? [] : m[4].split('.').map((id) => (/^\d+$/.test(id) ? Number(id) : id));
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre };
}

/** Orders two versions by SemVer precedence (build metadata ignored): negative, zero or positive. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  if (a.major !== b.major) return a.major - b.major;
  if (a.minor !== b.minor) return a.minor - b.minor;
  if (a.patch !== b.patch) return a.patch - b.patch;
  if (a.pre.length === 0 || b.pre.length === 0) return b.pre.length - a.pre.length;
  const n = Math.min(a.pre.length, b.pre.length);
  for (let i = 0; i < n; i++) {
    const x = a.pre[i]!;
    const y = b.pre[i]!;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return a.pre.length - b.pre.length;
}

/** Parses an RFC 3339 date-time (`2024-05-28T15:00:01.123456789Z`, `…+02:00`) into an instant. */
export function parseRfc3339(text: string): Instant | undefined {
  const m = RFC3339_RE.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return undefined;
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(ms);
  if (check.getUTCDate() !== day && second !== 60) return undefined;
  const offsetMin = m[8] !== undefined ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  const nanos = m[7] === undefined ? 0 : Number(m[7].padEnd(9, '0'));
  return { seconds: ms / 1000 - offsetMin * 60, nanos };
}

/** The instant of a JS `Date`. */
export function instantOfDate(date: Date): Instant | undefined {
  const ms = date.getTime();
  if (Number.isNaN(ms)) return undefined;
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 };
}

/** Orders two instants: negative, zero or positive. */
export function compareInstants(a: Instant, b: Instant): number {
  return a.seconds !== b.seconds ? a.seconds - b.seconds : a.nanos - b.nanos;
}

/**
 * A value with `*` wildcards, split at its stars: `a*b*c` → `['a', 'b', 'c']`, `*x` → `['', 'x']`.
 * Matched by {@link matchWildcard}, never through a RegExp built from the (user-supplied) value.
 */
export interface WildcardPattern {
  /** The literal parts between the stars, in order (at least two: the value has a star). */
  readonly parts: readonly string[];
}

/**
 * Splits a value with `*` wildcards (`*` matches any run of characters, every other character
 * matches itself) into a {@link WildcardPattern}. Returns `undefined` when there is no wildcard.
 */
export function compileWildcard(pattern: string): WildcardPattern | undefined {
  if (!pattern.includes('*')) return undefined;
  return Object.freeze({ parts: Object.freeze(pattern.split('*')) });
}

/**
 * Does `text` match the whole wildcard pattern (anchored at both ends)? Without backtracking:
 * the first part must start `text`, the last must end it, and each part between is taken at
 * its leftmost place after the previous one (leftmost is always a safe choice with `*` the only
 * wildcard), so `text` is scanned once, left to right, whatever the number of stars; many stars
 * cannot make a demand slow (a RegExp of `.*` runs backtracks exponentially on a miss).
 *
 * @example
 * matchWildcard(compileWildcard('p*r*7')!, 'provider-7'); // true
 */
export function matchWildcard(pattern: WildcardPattern, text: string): boolean {
  const { parts } = pattern;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (text.length < first.length + last.length) return false;
  if (!text.startsWith(first) || !text.endsWith(last)) return false;
  let at = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i]!;
    if (part === '') continue;
    const found = text.indexOf(part, at);
    if (found < 0 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

/** Parses a list literal `[a, b, c]` (items trimmed), or `undefined` if the value is not one. */
export function parseListLiteral(text: string): readonly string[] | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('[') || !trimmed.endsWith(']')) return undefined;
  const inner = trimmed.slice(1, -1);
  if (/[[\]]/.test(inner)) return undefined;
  return inner.trim() === '' ? [] : inner.split(',').map((item) => item.trim());
}

/** Lexicographic comparison by UTF-16 code units: negative, zero or positive. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
