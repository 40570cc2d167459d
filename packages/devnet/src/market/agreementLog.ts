/**
 * The persistent log behind `GET /agreementEvents` (M16): nothing is consumed, clients page it
 * with `afterTimestamp` (strictly after) and filter it by `appSessionId`. Event dates are
 * strictly increasing, so paging by the last event's date never skips or repeats an event.
 */
import { Subject, type Observable } from 'rxjs';
import type { AgreementEventDto } from 'golem-rx';
import type { Stamp } from '../clock.js';

interface Entry {
  readonly micros: number;
  readonly appSessionId: string | undefined;
  readonly event: AgreementEventDto;
}

/** The agreement event log. */
export class AgreementLog {
  private readonly entries: Entry[] = [];
  private readonly appended = new Subject<void>();

  /** Emits after every append. */
  readonly appended$: Observable<void> = this.appended.asObservable();

  /** How many events were logged. */
  get size(): number {
    return this.entries.length;
  }

  /** Appends an event stamped `stamp` (stamps come from one clock, so the log stays sorted). */
  append(stamp: Stamp, appSessionId: string | undefined, event: AgreementEventDto): void {
    this.entries.push({ micros: stamp.micros, appSessionId, event });
    this.appended.next();
  }

  /**
   * Events strictly after `afterMicros`, of agreements confirmed with `appSessionId` when
   * given, ascending, at most `max`.
   */
  query(afterMicros: number | undefined, appSessionId: string | undefined, max: number): AgreementEventDto[] {
    const out: AgreementEventDto[] = [];
    for (let i = this.firstAfter(afterMicros); i < this.entries.length && out.length < max; i++) {
      const entry = this.entries[i]!;
      if (appSessionId === undefined || entry.appSessionId === appSessionId) out.push(entry.event);
    }
    return out;
  }

  /** Completes `appended$`. */
  close(): void {
    this.appended.complete();
  }

  private firstAfter(afterMicros: number | undefined): number {
    if (afterMicros === undefined) return 0;
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.micros > afterMicros) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
