import type { SchedulerLike } from 'rxjs';

/** Usage counters of a simulated activity. */
export interface ExeUnitUsage {
  /** Seconds since the activity was created (frozen when it terminates). */
  readonly durationSec: number;
  /** CPU seconds: scheduler time spent executing commands, times the configured threads. */
  readonly cpuSec: number;
  /** Unix time in whole seconds of the scheduler's `now()` (as A7 `ActivityUsage.timestamp`). */
  readonly timestamp: number;
}

const DURATION = new Set(['golem.usage.duration_sec', 'golem.usage.duration-sec']);
const CPU = new Set(['golem.usage.cpu_sec', 'golem.usage.cpu-sec']);

/** Tracks duration and busy time on a scheduler's clock. */
export class UsageClock {
  private readonly createdAt: number;
  private endedAt: number | undefined;
  private busyMs = 0;
  private busySince: number | undefined;

  constructor(
    private readonly scheduler: SchedulerLike,
    private readonly cpuThreads: number,
  ) {
    this.createdAt = scheduler.now();
  }

  /** A command starts executing. */
  startBusy(): void {
    if (this.endedAt === undefined) this.busySince ??= this.scheduler.now();
  }

  /** The command ended. */
  stopBusy(): void {
    if (this.busySince === undefined) return;
    this.busyMs += Math.max(0, (this.endedAt ?? this.scheduler.now()) - this.busySince);
    this.busySince = undefined;
  }

  /** The activity ended: counters stop. */
  end(): void {
    if (this.endedAt !== undefined) return;
    this.endedAt = this.scheduler.now();
    this.stopBusy();
  }

  /** Current counters. */
  snapshot(): ExeUnitUsage {
    const now = this.scheduler.now();
    const end = this.endedAt ?? now;
    const busy = this.busyMs + (this.busySince === undefined ? 0 : Math.max(0, end - this.busySince));
    return {
      durationSec: Math.max(0, end - this.createdAt) / 1000,
      cpuSec: (busy * this.cpuThreads) / 1000,
      timestamp: Math.floor(now / 1000),
    };
  }

  /**
   * Counters in the order of an agreement's `golem.com.usage.vector`: `golem.usage.duration_sec`
   * and `golem.usage.cpu_sec` (old `_` or new `-` spelling); any other counter is 0.
   */
  vector(names: readonly string[]): number[] {
    const u = this.snapshot();
    return names.map((n) => (DURATION.has(n) ? u.durationSec : CPU.has(n) ? u.cpuSec : 0));
  }
}
