import {
  type Observable,
  type SchedulerLike,
  Subject,
  asyncScheduler,
  defer,
  firstValueFrom,
  from,
  map,
  merge,
  race,
  timer,
} from 'rxjs';
import { RunnableFailedError, type RunnableFailure } from './errors/RunnableFailedError.js';
import { RunnableChanged } from './events.js';
import type { Runnable, RunnableStatus } from './Runnable.js';
import { describeError } from './statusFields.js';
import { SignalHandlers, type SignalProcess, defaultProcess } from './signals.js';

/** Where a registry is in its life. */
export type RegistryState = 'idle' | 'running' | 'stopping' | 'stopped';

/** What {@link RunnableRegistry.wireUpOnShutdown} found when it was done. */
export interface ShutdownReport {
  /** Why it shut down (the reason given, or the signal). */
  readonly reason: string;
  /** Nothing crashed and everything stopped within the drain timeout. */
  readonly clean: boolean;
  /** The runnables that stopped cleanly (or never ran). */
  readonly stopped: readonly string[];
  /** The runnables that crashed, with their errors. */
  readonly failed: readonly RunnableFailure[];
  /** The runnables still running when the drain timeout passed. */
  readonly timedOut: readonly string[];
}

interface Entry {
  readonly name: string;
  readonly runnable: Runnable;
  status: RunnableStatus;
  running?: Promise<void>;
  /** Settles (never rejects) when `running` has. */
  settled?: Promise<void>;
  abortError?: { readonly error: unknown };
}

/**
 * Starts, tracks and stops a set of {@link Runnable}s together, and hooks them into a web
 * framework's lifecycle (aiohivebot's `wire_up_*` helpers, for Node):
 *
 * - {@link wireUpGetRunnables}: tracked runnables to run yourself (`Promise.all(r.map((x) => x.run()))`);
 * - {@link wireUpOnStartup}: starts every runnable and installs the signal handlers (SIGINT and
 *   SIGTERM by default). Idempotent; it does not wait for the runnables to finish;
 * - {@link wireUpOnShutdown}: aborts every runnable, then drains: waits for all of them to stop,
 *   at most `drainTimeout` ms of `scheduler` time, and removes the signal handlers. Idempotent:
 *   every call returns the same report.
 *
 * On a signal it shuts down and then sends the signal to the process again, so that its default
 * action (exit) applies once everything has stopped. A second signal during the drain is ignored
 * with a message on stderr ("still cleaning up: press Ctrl-C again to force the exit"), so that
 * an impatient Ctrl-C does not cut the node's cleanup short; a third one gives up waiting and
 * re-raises at once. A runnable that crashes is reported (`state: 'failed'`, `lastError`, a
 * `RunnableChanged` event); with `shutdownOnFailure` it also shuts the others down.
 *
 * The registry is a {@link Runnable} itself: `run()` starts everything and settles when all have
 * stopped (rejecting with `RunnableFailedError` if any crashed), `abort()` shuts down.
 *
 * @example
 * ```ts
 * const registry = wireUp([runnableFromNode(node), runnableFromObservable(pipeline$, { name: 'pipeline' })]);
 * const app = Fastify();
 * wireUpFastify(app, registry); // onReady → wireUpOnStartup, onClose → wireUpOnShutdown
 * ```
 */
export class RunnableRegistry implements Runnable {
  /** The registry's name as a runnable. */
  readonly name: string;
  private readonly entries: Entry[] = [];
  private readonly changes = new Subject<RunnableChanged>();
  private readonly scheduler: SchedulerLike;
  private readonly drainTimeout: number;
  private readonly shutdownOnFailure: boolean;
  private readonly exitOnSignal: boolean;
  private readonly signals: SignalHandlers;
  private lifecycle: RegistryState = 'idle';
  private startup: Promise<void> | undefined;
  private shutdown: Promise<ShutdownReport> | undefined;
  private stoppedBySignal: NodeJS.Signals | undefined;
  private reportStopped: (report: ShutdownReport) => void = () => undefined;
  private readonly stopped = new Promise<ShutdownReport>((resolve) => {
    this.reportStopped = resolve;
  });

  /**
   * Every runnable's current status (one event each, on subscribe), then every change. Hot
   * otherwise; completes when the shutdown is done. Feed it to the status model.
   */
  readonly events$: Observable<RunnableChanged> = defer(() =>
    merge(from(this.entries.map((e) => new RunnableChanged(e.status))), this.changes),
  );

  /**
   * @param runnables the runnables to manage (more can be added with {@link add})
   * @param config see {@link RunnableRegistryConfig}
   */
  constructor(runnables: Iterable<Runnable> = [], config: RunnableRegistryConfig = {}) {
    this.name = config.name ?? 'registry';
    this.scheduler = config.scheduler ?? asyncScheduler;
    this.drainTimeout = config.drainTimeout ?? 10_000;
    if (!(this.drainTimeout >= 0)) throw new RangeError('RunnableRegistry: drainTimeout must be >= 0');
    this.shutdownOnFailure = config.shutdownOnFailure ?? false;
    this.exitOnSignal = config.exitOnSignal ?? true;
    const signals = config.signals === false ? [] : (config.signals ?? ['SIGINT', 'SIGTERM']);
    const target = config.process === undefined ? defaultProcess() : config.process;
    this.signals = new SignalHandlers(target, signals, (signal) => this.onSignal(signal));
    for (const runnable of runnables) this.add(runnable);
  }

  /** Where the registry is in its life. */
  get state(): RegistryState {
    return this.lifecycle;
  }

  /** The status of every runnable, in the order they were added. */
  statuses(): readonly RunnableStatus[] {
    return this.entries.map((e) => e.status);
  }

  /**
   * Adds a runnable. After startup it is started at once; after shutdown began it is aborted at
   * once (and reported as stopped without having run).
   * @returns the registry
   */
  add(runnable: Runnable): this {
    const entry: Entry = {
      name: this.uniqueName(runnable.name),
      runnable,
      status: { name: '', state: 'idle' },
    };
    entry.status = { name: entry.name, state: 'idle' };
    this.entries.push(entry);
    this.changes.next(new RunnableChanged(entry.status));
    if (this.lifecycle === 'running') void this.start(entry);
    else if (this.lifecycle !== 'idle') void this.stop(entry, 'registry shut down');
    return this;
  }

  /**
   * The runnables as tracked runnables: running or aborting one through them updates its status.
   * `run()` on one that the registry already started returns the same Promise.
   */
  wireUpGetRunnables(): readonly Runnable[] {
    return this.entries.map((entry) => ({
      name: entry.name,
      run: () => this.start(entry),
      abort: (reason?: unknown) => this.stop(entry, reason),
    }));
  }

  /**
   * Starts every runnable (without waiting for them to finish) and installs the signal handlers.
   * Idempotent; after shutdown began it starts nothing.
   */
  wireUpOnStartup(): Promise<void> {
    this.startup ??= (async () => {
      if (this.lifecycle !== 'idle') return;
      this.lifecycle = 'running';
      this.signals.install();
      for (const entry of this.entries) void this.start(entry);
    })();
    return this.startup;
  }

  /**
   * Aborts every runnable, waits until all have stopped (at most `drainTimeout` ms), removes the
   * signal handlers. Idempotent: later calls return the same report. Never rejects.
   * @param reason why (given to each `abort`), e.g. `'SIGTERM'`
   */
  wireUpOnShutdown(reason: unknown = 'shutdown'): Promise<ShutdownReport> {
    this.shutdown ??= this.drain(describe(reason));
    return this.shutdown;
  }

  /**
   * Resolves with the report when a shutdown has finished, whoever started it (a signal, a
   * framework hook, a crash with `shutdownOnFailure`): for a script's last words. Starts nothing.
   */
  whenStopped(): Promise<ShutdownReport> {
    return this.stopped;
  }

  /** Starts everything; settles when all have stopped. Rejects with `RunnableFailedError` if any crashed. */
  async run(): Promise<void> {
    await this.wireUpOnStartup();
    await Promise.all(this.entries.map((e) => e.settled ?? Promise.resolve()));
    const failed = this.failures();
    if (failed.length > 0) throw new RunnableFailedError(failed);
  }

  /** Shuts down ({@link wireUpOnShutdown}). */
  async abort(reason?: unknown): Promise<void> {
    await this.wireUpOnShutdown(reason);
  }

  private start(entry: Entry): Promise<void> {
    if (entry.running !== undefined) return entry.running;
    if (this.lifecycle === 'stopping' || this.lifecycle === 'stopped') {
      entry.running = Promise.resolve();
      entry.settled = entry.running;
      return entry.running;
    }
    this.update(entry, { state: 'running', startedAt: this.scheduler.now() });
    const running = (async () => entry.runnable.run())();
    entry.running = running;
    entry.settled = running.then(
      () => this.settle(entry, undefined),
      (error: unknown) => this.settle(entry, { error }),
    );
    return running;
  }

  private async stop(entry: Entry, reason: unknown): Promise<void> {
    const { state } = entry.status;
    if (state === 'stopped' || state === 'failed') return;
    const stopReason = describe(reason);
    if (entry.running === undefined) {
      entry.running = Promise.resolve();
      entry.settled = entry.running;
      this.update(entry, { state: 'stopped', stopReason, stoppedAt: this.scheduler.now() });
    } else if (state !== 'stopping') {
      this.update(entry, { state: 'stopping', stopReason });
    }
    try {
      await entry.runnable.abort(reason);
    } catch (error) {
      // a failed abort is a failed stop: the runnable's error, now or when it settles
      if (entry.status.state === 'stopped') this.update(entry, { state: 'failed', lastError: error });
      else entry.abortError ??= { error };
    }
    await entry.settled;
  }

  private settle(entry: Entry, failure: { readonly error: unknown } | undefined): void {
    const error = failure ?? entry.abortError;
    const stoppedAt = this.scheduler.now();
    if (error === undefined) this.update(entry, { state: 'stopped', stoppedAt });
    else this.update(entry, { state: 'failed', stoppedAt, lastError: error.error });
    if (error !== undefined && this.shutdownOnFailure) void this.wireUpOnShutdown(`${entry.name} failed`);
  }

  private async drain(reason: string): Promise<ShutdownReport> {
    this.lifecycle = 'stopping';
    this.signals.cleaningUp();
    for (const entry of this.entries) void this.stop(entry, reason);
    const all = Promise.all(this.entries.map((e) => e.settled ?? Promise.resolve()));
    const outcome = await firstValueFrom(
      race(
        from(all).pipe(map(() => 'drained' as const)),
        timer(this.drainTimeout, this.scheduler).pipe(map(() => 'timeout' as const)),
      ),
    );
    this.signals.remove();
    this.lifecycle = 'stopped';
    const report: ShutdownReport = {
      reason,
      clean: false,
      stopped: this.entries.filter((e) => e.status.state === 'stopped').map((e) => e.name),
      failed: this.failures(),
      timedOut:
        outcome === 'timeout'
          ? this.entries
              .filter((e) => e.status.state === 'running' || e.status.state === 'stopping')
              .map((e) => e.name)
          : [],
    };
    this.changes.complete();
    const final = { ...report, clean: report.failed.length === 0 && report.timedOut.length === 0 };
    this.reportStopped(final);
    return final;
  }

  private onSignal(signal: NodeJS.Signals): void {
    if (this.shutdown !== undefined) {
      // the forcing signal while draining (the one before it only got a message): give up waiting
      if (this.exitOnSignal) this.signals.reraise(signal);
      return;
    }
    this.stoppedBySignal = signal;
    void this.wireUpOnShutdown(signal).then(() => {
      if (this.exitOnSignal && this.stoppedBySignal !== undefined) this.signals.reraise(this.stoppedBySignal);
    });
  }

  private failures(): RunnableFailure[] {
    return this.entries.flatMap((e) =>
      e.status.state === 'failed' ? [{ name: e.name, error: e.status.lastError }] : [],
    );
  }

  private update(entry: Entry, change: Partial<RunnableStatus>): void {
    entry.status = { ...entry.status, ...change };
    this.changes.next(new RunnableChanged(entry.status));
  }

  private uniqueName(name: string | undefined): string {
    const base = name ?? `runnable-${this.entries.length + 1}`;
    const taken = new Set(this.entries.map((e) => e.name));
    if (!taken.has(base)) return base;
    let i = 2;
    while (taken.has(`${base}#${i}`)) i++;
    return `${base}#${i}`;
  }
}

/** Options of {@link RunnableRegistry} and {@link wireUp}. */
export interface RunnableRegistryConfig {
  /** Its name as a runnable. @default 'registry' */
  name?: string;
  /**
   * How long `wireUpOnShutdown` waits for the runnables to stop after aborting them, in ms of
   * `scheduler` time. Those still running then are listed in the report's `timedOut`.
   * @default 10000
   */
  drainTimeout?: number;
  /** The clock of the drain timeout and of the statuses' timestamps. @default asyncScheduler */
  scheduler?: SchedulerLike;
  /**
   * The signals that shut the registry down, installed by `wireUpOnStartup` and removed when the
   * shutdown is done; `false` for none.
   * @default ['SIGINT', 'SIGTERM']
   */
  signals?: readonly NodeJS.Signals[] | false;
  /**
   * After a signal-triggered shutdown, send the signal to the process again (handlers removed),
   * so that it exits as it would have; during the drain a second signal only gets a message on
   * stderr, a third does so at once.
   * @default true
   */
  exitOnSignal?: boolean;
  /** Shut everything down when one runnable crashes. @default false */
  shutdownOnFailure?: boolean;
  /** The process to install the signal handlers on (a test double). @default process */
  process?: SignalProcess;
}

/**
 * Creates a {@link RunnableRegistry} of `runnables`: the one call to hook golem-rx into an app.
 *
 * @example
 * ```ts
 * const registry = wireUp([runnableFromNode(node), runnableFromObservable(pipeline$, { name: 'pipeline' })]);
 * await registry.run(); // a script: runs until done, or until Ctrl-C has stopped everything
 * ```
 */
export function wireUp(runnables: Iterable<Runnable>, config: RunnableRegistryConfig = {}): RunnableRegistry {
  return new RunnableRegistry(runnables, config);
}

function describe(reason: unknown): string {
  if (typeof reason === 'string') return reason;
  return reason === undefined ? 'shutdown' : describeError(reason);
}
