import { MalformedTimestampError } from './errors/MalformedTimestampError.js';

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,20}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))?$/;

const NANOS_PER_SECOND = 1_000_000_000n;

/**
 * Nanoseconds since the Unix epoch of an RFC 3339 timestamp, exactly (as a bigint).
 *
 * yagna writes `eventDate` with a variable number of fractional digits
 * (`…42.5647Z`, `…42.564784259Z`), so raw strings do not sort; their nanoseconds do. Offsets
 * (`+02:00`) are honoured; a timestamp without a zone (yagna's naive SSE timestamps) is read
 * as UTC. Digits beyond nanoseconds are truncated.
 *
 * @throws {MalformedTimestampError} when `timestamp` is not RFC 3339
 */
export function timestampNanos(timestamp: string): bigint {
  const m = RFC3339.exec(timestamp);
  if (m === null) throw new MalformedTimestampError(timestamp);
  const [, y, mo, d, h, mi, s, frac = '', , sign, oh, om] = m;
  if (
    Number(mo) < 1 ||
    Number(mo) > 12 ||
    Number(d) < 1 ||
    Number(d) > 31 ||
    Number(h) > 23 ||
    Number(mi) > 59
  ) {
    throw new MalformedTimestampError(timestamp);
  }
  const seconds = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) / 1000;
  if (!Number.isFinite(seconds)) throw new MalformedTimestampError(timestamp);
  const offsetSeconds =
    sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60);
  const nanos = BigInt(frac.padEnd(9, '0').slice(0, 9));
  return BigInt(seconds - offsetSeconds) * NANOS_PER_SECOND + nanos;
}

/**
 * Orders two RFC 3339 timestamps by the instant they denote, not by their text.
 *
 * @returns a negative number when `a` is earlier, 0 when equal, positive when later
 * @throws {MalformedTimestampError} when either is not RFC 3339
 */
export function compareTimestamps(a: string, b: string): number {
  const na = timestampNanos(a);
  const nb = timestampNanos(b);
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/**
 * A canonical, lexicographically sortable form of an RFC 3339 timestamp: UTC, `Z`, always nine
 * fractional digits (`2022-05-22T10:41:42.564784259Z`). Equal instants give equal strings.
 *
 * @throws {MalformedTimestampError} when `timestamp` is not RFC 3339
 */
export function normalizeTimestamp(timestamp: string): string {
  return formatNanos(timestampNanos(timestamp));
}

/**
 * The RFC 3339 timestamp `ms` milliseconds after `timestamp` (before it when negative), in the
 * canonical form of {@link normalizeTimestamp}. Used to look back from a cursor:
 * `shiftTimestamp('2024-05-28T15:00:05.25Z', -5000)` is `2024-05-28T15:00:00.250000000Z`.
 *
 * @param ms a finite number of milliseconds; fractions are kept down to the nanosecond
 * @throws {MalformedTimestampError} when `timestamp` is not RFC 3339
 * @throws {RangeError} when `ms` is not finite
 */
export function shiftTimestamp(timestamp: string, ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`shiftTimestamp: ms must be finite, got ${String(ms)}`);
  return formatNanos(timestampNanos(timestamp) + BigInt(Math.round(ms * 1_000_000)));
}

/** Nanoseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`. */
function formatNanos(total: bigint): string {
  const seconds = total / NANOS_PER_SECOND - (total % NANOS_PER_SECOND < 0n ? 1n : 0n);
  const nanos = total - seconds * NANOS_PER_SECOND;
  const iso = new Date(Number(seconds) * 1000).toISOString(); // data, not "now"
  return `${iso.slice(0, 19)}.${nanos.toString().padStart(9, '0')}Z`;
}
