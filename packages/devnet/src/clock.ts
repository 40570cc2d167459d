/**
 * Devnet's timestamps. Every event date devnet produces comes from the context scheduler's
 * `now()` and is strictly increasing (a microsecond counter breaks ties within one millisecond),
 * so a client that pages a persistent log with `afterTimestamp = eventDate of the last event`
 * never skips an event.
 */
import type { SchedulerLike } from 'rxjs';

/** A devnet timestamp: microseconds since the epoch and its RFC 3339 rendering. */
export interface Stamp {
  readonly micros: number;
  readonly iso: string;
}

/** Hands out strictly increasing timestamps from a scheduler's clock. */
export class DevnetClock {
  private lastMicros = 0;

  constructor(private readonly scheduler: SchedulerLike) {}

  /** Milliseconds since the epoch on the devnet clock. */
  nowMs(): number {
    return this.scheduler.now();
  }

  /** A fresh timestamp, strictly after every one handed out before. */
  stamp(): Stamp {
    const micros = Math.max(Math.floor(this.scheduler.now()) * 1000, this.lastMicros + 1);
    this.lastMicros = micros;
    return { micros, iso: formatMicros(micros) };
  }
}

/** RFC 3339 UTC with six fractional digits, e.g. `2024-05-28T15:00:01.123456Z`. */
export function formatMicros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString(); // …T15:00:01.123Z
  const sub = String(micros - ms * 1000).padStart(3, '0');
  return `${iso.slice(0, -1)}${sub}Z`;
}

/** RFC 3339 of a millisecond instant (`…123Z`), for ms-precision fields such as `validTo`. */
export function formatMs(ms: number): string {
  return new Date(ms).toISOString();
}

const RFC3339_RE = /^(\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Parses any RFC 3339 timestamp to microseconds since the epoch (digits beyond the
 * microsecond are truncated, which keeps "strictly after" comparisons correct).
 *
 * @returns `undefined` when `text` is not RFC 3339.
 */
export function parseRfc3339Micros(text: string): number | undefined {
  const m = RFC3339_RE.exec(text);
  if (m === null) return undefined;
  const base = Date.parse(`${m[1]!.replace(' ', 'T')}${m[3]!.toUpperCase()}`);
  if (Number.isNaN(base)) return undefined;
  const fraction = (m[2] ?? '').padEnd(6, '0').slice(0, 6);
  return base * 1000 + Number(fraction);
}
