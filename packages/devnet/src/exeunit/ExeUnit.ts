import { randomBytes } from 'node:crypto';
import { asyncScheduler, BehaviorSubject, defer, filter, map, of, startWith, take, timeout } from 'rxjs';
import type { Observable, SchedulerLike } from 'rxjs';
import { Batch } from './batch.js';
import { BatchNotFoundError } from './BatchNotFoundError.js';
import { commandName } from './exescript.js';
import type {
  ActivityState,
  DeployCommandBody,
  ActivityStateName,
  ExeScriptCommand,
  ExeScriptCommandResult,
  ExeScriptCommandState,
  RuntimeEvent,
  RuntimeEventKind,
} from './exescript.js';
import { ExeScriptParseError } from './ExeScriptParseError.js';
import { ExeUnitStateError } from './ExeUnitStateError.js';
import { executeCommand, type UnitState } from './executeCommand.js';
import type { CommandOutcome } from './runProcess.js';
import { builtins } from './shell/builtins.js';
import type { CommandHandler } from './shell/types.js';
import type { GsbNetwork } from '../gsb/index.js';
import { UsageClock, type ExeUnitUsage } from './usage.js';
import { VirtualFs } from './VirtualFs.js';

/** What a fault hook decides for a command: crash the exe-unit, fail the command, or nothing. */
export type FaultDecision = 'crash' | 'fail' | undefined;

/** Fault injection of an {@link ExeUnit}. */
export interface ExeUnitFaults {
  /** Called before each command; `'crash'` crashes the exe-unit, `'fail'` fails the command. */
  readonly beforeCommand?: (batchId: string, index: number, command: ExeScriptCommand) => FaultDecision;
  /** The state a crash leaves the activity in. @default 'Terminated' */
  readonly crashState?: 'Terminated' | 'Unresponsive';
}

/** Options of an {@link ExeUnit}. */
export interface ExeUnitOptions {
  /** Clock of sleeps, deploy/start delays, usage counters and wait timeouts. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
  /** Extra commands by name (they take precedence over builtins); see docs/devnet-shell.md. */
  readonly handlers?: Readonly<Record<string, CommandHandler>>;
  /** Fault injection hooks. */
  readonly faults?: ExeUnitFaults;
  /** A pre-populated file system (e.g. the "image"). @default an empty one */
  readonly fs?: VirtualFs;
  /** Base environment of every `run`, under the deploy `env`. @default PATH and HOME */
  readonly env?: Readonly<Record<string, string>>;
  /** Scheduler time `deploy` and `start` take. @default { deployMs: 0, startMs: 0 } */
  readonly timing?: { readonly deployMs?: number; readonly startMs?: number };
  /** CPU seconds accrued per second of command execution. @default 1 */
  readonly cpuThreads?: number;
  /** RuntimeEvents kept per batch for replay to late subscribers. @default 1000 */
  readonly maxReplayEvents?: number;
  /** Largest transfer accepted. @default 64 MiB */
  readonly maxTransferBytes?: number;
  /** The requestor's GSB services, which `gftp://` transfers reach. @default none: `gftp:` is unsupported */
  readonly gsb?: GsbNetwork;
  /** Batch id generator. @default 32 random hex digits */
  readonly newBatchId?: () => string;
  /**
   * Checks and applies the `deploy` command's body before the unit is deployed (devnet's net
   * module joins the VPNs of `net`); a message it returns fails the command, and the unit stays
   * `Initialized`.
   */
  readonly onDeploy?: (body: DeployCommandBody) => string | undefined;
}

/** What {@link ExeUnit.waitForResults} resolves to. */
export interface BatchResults {
  readonly results: ExeScriptCommandResult[];
  /** The wait ended by its timeout, not because the awaited command/batch finished. */
  readonly timedOut: boolean;
}

const DEFAULT_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root' };
const TERMINAL = new Set<ActivityStateName>(['Terminated', 'Unresponsive']);

/**
 * A simulated VM exe-unit of one activity, independent of HTTP: runs ExeScript batches in
 * order against a virtual file system and a small shell, with the Activity API's semantics.
 *
 * States, as yagna's exe-unit: a unit is `Initialized` from its creation (the provider spawned
 * it before `createActivity` answered; `New` is never seen by a requestor), then
 * `[Initialized, Deployed]` → `Deployed` (deploy) → `[Deployed, Ready]` → `Ready` (start);
 * `run` and `transfer` execute as `[Ready, Ready]`. It ends `Terminated` (`terminate` command
 * or `destroy()`); a crash leaves `Terminated` (or `Unresponsive`, see `faults.crashState`) with
 * `reason: 'Crashed'` and `errorMessage`. `exec` on a terminated or unresponsive activity throws
 * {@link ExeUnitStateError}.
 *
 * Batches run one after the other; within a batch the first `Error` ends it. A crash or
 * `destroy()` mid-command makes that command an `Error` (message = the crash/destroy reason)
 * and finishes its batch; batches still queued finish with an `Error` at index 0.
 *
 * @example
 * const unit = new ExeUnit();
 * const id = unit.exec(parseExeScript('[{"deploy":{}},{"start":{}},{"run":{"entry_point":"/bin/echo","args":["hi"],"capture":{"stdout":{"atEnd":{}}}}}]'));
 * const { results } = await unit.waitForResults(id, undefined, 5_000);
 * results[2].stdout; // 'hi\n'
 */
export class ExeUnit {
  /** The activity's file system. */
  readonly fs: VirtualFs;
  private readonly scheduler: SchedulerLike;
  private readonly options: ExeUnitOptions;
  private readonly handlers: Readonly<Record<string, CommandHandler>>;
  private readonly batches = new Map<string, Batch>();
  private readonly queue: Batch[] = [];
  private readonly abort = new AbortController();
  private readonly stateSubject: BehaviorSubject<ActivityState>;
  private readonly clock: UsageClock;
  private deployEnv: Readonly<Record<string, string>> = {};
  private draining = false;

  constructor(options: ExeUnitOptions = {}) {
    this.options = options;
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.fs = options.fs ?? new VirtualFs();
    this.handlers = options.handlers ?? {};
    this.stateSubject = new BehaviorSubject<ActivityState>({ state: ['Initialized', null] });
    this.clock = new UsageClock(this.scheduler, options.cpuThreads ?? 1);
  }

  /** The current state, shaped as `GET /activity/{id}/state` answers. */
  get state(): ActivityState {
    return this.stateSubject.value;
  }

  /** The state now and every change; completes when the activity is terminated. */
  get state$(): Observable<ActivityState> {
    return this.stateSubject.asObservable();
  }

  /** Usage counters advancing with the scheduler's clock. */
  get usage(): ExeUnitUsage {
    return this.clock.snapshot();
  }

  /** Usage counters in the order of an agreement's `golem.com.usage.vector`. */
  usageVector(names: readonly string[]): number[] {
    return this.clock.vector(names);
  }

  /**
   * Queues a batch and returns its id (32 hex digits) at once; the commands run asynchronously.
   *
   * @throws {ExeUnitStateError} when the activity is terminated or unresponsive
   * @throws {ExeScriptParseError} for an empty command list
   */
  exec(commands: readonly ExeScriptCommand[]): string {
    const [current] = this.state.state;
    if (TERMINAL.has(current)) throw new ExeUnitStateError(`Activity is ${current}`, { state: current });
    if (commands.length === 0)
      throw new ExeScriptParseError('ExeScript must contain at least one command', { path: '' });
    const id = this.options.newBatchId?.() ?? randomBytes(16).toString('hex');
    const batch = new Batch(id, [...commands], this.options.maxReplayEvents ?? 1000);
    this.batches.set(id, batch);
    this.queue.push(batch);
    if (!this.draining) {
      this.draining = true;
      void Promise.resolve().then(() => this.drain());
    }
    return id;
  }

  /**
   * Results of a batch so far, cumulative from index 0 (A3 without `commandIndex`).
   *
   * @throws {BatchNotFoundError}
   */
  results(batchId: string): ExeScriptCommandResult[] {
    return this.batch(batchId).results();
  }

  /**
   * Waits like A3 `GET …/exec/{batchId}?commandIndex&timeout`: until the command at
   * `commandIndex` (or, without it, the whole batch) has finished, or `timeoutMs` of scheduler
   * time passed (`0` checks at once, `Infinity` waits without limit). Resolves with the results
   * (see `Batch.results` for the `commandIndex` view) and whether the wait timed out; the HTTP
   * layer answers 408 when it did and `commandIndex` was given. Rejects with `signal.reason`
   * when `signal` aborts, and with {@link BatchNotFoundError} for an unknown batch.
   */
  waitForResults(
    batchId: string,
    commandIndex: number | undefined,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<BatchResults> {
    return new Promise<BatchResults>((resolve, reject) => {
      const batch = this.batches.get(batchId);
      if (batch === undefined) return reject(new BatchNotFoundError(batchId));
      if (signal?.aborted === true) return reject(signal.reason as Error);
      if (timeoutMs <= 0 || batch.isSettled(commandIndex)) {
        return resolve({ results: batch.results(commandIndex), timedOut: !batch.isSettled(commandIndex) });
      }
      let done = false;
      const finish = (settle: () => void): void => {
        if (done) return;
        done = true;
        signal?.removeEventListener('abort', onAbort);
        settle();
      };
      const answer = (timedOut: boolean): void =>
        finish(() => resolve({ results: batch.results(commandIndex), timedOut }));
      const onAbort = (): void => {
        sub.unsubscribe();
        finish(() => reject(signal?.reason as Error));
      };
      const settled$ = batch.changes$.pipe(
        startWith(undefined),
        filter(() => batch.isSettled(commandIndex)),
        take(1),
        map(() => false),
      );
      const timed$ = Number.isFinite(timeoutMs)
        ? settled$.pipe(timeout({ first: timeoutMs, with: () => of(true), scheduler: this.scheduler }))
        : settled$;
      const sub = timed$.subscribe({
        next: answer,
        error: (err: unknown) => finish(() => reject(err instanceof Error ? err : new Error(String(err)))),
        complete: () => answer(false),
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * RuntimeEvents of a batch: those already emitted (up to `maxReplayEvents`), then live ones;
   * completes when the batch finishes. Cold per subscriber; errors with
   * {@link BatchNotFoundError} for an unknown batch.
   */
  events$(batchId: string): Observable<RuntimeEvent> {
    return defer(() => this.batch(batchId).events$());
  }

  /** The command running now (A9), or `undefined`. */
  runningCommand(): ExeScriptCommandState | undefined {
    for (const batch of this.batches.values()) {
      if (batch.running === undefined) continue;
      const command = batch.commands[batch.running]!;
      const run = 'run' in command ? command.run : undefined;
      const params = run === undefined ? undefined : [run.entry_point, ...(run.args ?? [])];
      return {
        batchId: batch.id,
        command: commandName(command),
        ...(params === undefined ? {} : { params }),
      };
    }
    return undefined;
  }

  /**
   * Crashes the exe-unit now: the running command fails with `message`, the activity goes to
   * `faults.crashState` (default `Terminated`) with `reason: 'Crashed'`. Idempotent.
   */
  crash(message = 'ExeUnit crashed'): void {
    if (TERMINAL.has(this.state.state[0])) return;
    const state = this.options.faults?.crashState ?? 'Terminated';
    this.setState(state, { reason: 'Crashed', errorMessage: message });
    this.clock.end();
    this.abort.abort(new ExeUnitStateError(message, { state }));
  }

  /** Destroys the activity (A5): `Terminated`, running work aborted, counters stopped. Idempotent. */
  destroy(reason = 'Destroyed'): void {
    if (this.state.state[0] === 'Terminated') return;
    this.setState('Terminated', { reason });
    this.clock.end();
    if (!this.abort.signal.aborted) {
      const message = reason === 'Destroyed' ? 'Activity destroyed' : reason;
      this.abort.abort(new ExeUnitStateError(message, { state: 'Terminated' }));
    }
  }

  private batch(batchId: string): Batch {
    const batch = this.batches.get(batchId);
    if (batch === undefined) throw new BatchNotFoundError(batchId);
    return batch;
  }

  private setState(
    current: ActivityStateName,
    extra: { reason?: string; errorMessage?: string } = {},
    next: ActivityStateName | null = null,
  ): void {
    this.stateSubject.next({ state: [current, next], ...extra });
    if (current === 'Terminated') this.stateSubject.complete();
  }

  private async drain(): Promise<void> {
    for (let batch = this.queue.shift(); batch !== undefined; batch = this.queue.shift()) {
      try {
        await this.runBatch(batch);
      } catch (err) {
        // A fault of the emulator itself (nobody awaits `drain`): crash the unit as a real
        // exe-unit would, and finish the batch so that no wait on it hangs.
        this.crash(`ExeUnit crashed: ${messageOf(err)}`);
        batch.finish();
      }
    }
    this.draining = false;
  }

  private async runBatch(batch: Batch): Promise<void> {
    for (const [index, command] of batch.commands.entries()) {
      const [current] = this.state.state;
      if (TERMINAL.has(current)) {
        this.record(batch, index, {
          returnCode: -1,
          stdout: null,
          stderr: null,
          message: this.stoppedMessage(),
        });
        break;
      }
      batch.running = index;
      this.emit(batch, index, { started: { command } });
      const outcome = await this.runOne(batch, index, command);
      this.emit(batch, index, { finished: { return_code: outcome.returnCode, message: outcome.message } });
      this.record(batch, index, outcome);
      if (outcome.returnCode !== 0) break;
    }
    batch.finish();
  }

  private async runOne(batch: Batch, index: number, command: ExeScriptCommand): Promise<CommandOutcome> {
    let decision: FaultDecision;
    try {
      decision = this.options.faults?.beforeCommand?.(batch.id, index, command);
    } catch (err) {
      return {
        returnCode: 1,
        stdout: null,
        stderr: null,
        message: `fault hook failed: ${messageOf(err)}`,
      };
    }
    if (decision === 'crash') {
      this.crash('ExeUnit crashed (fault injected)');
      return { returnCode: -1, stdout: null, stderr: null, message: this.stoppedMessage() };
    }
    if (decision === 'fail') {
      return { returnCode: 1, stdout: null, stderr: null, message: 'Command failed (fault injected)' };
    }
    this.clock.startBusy();
    try {
      return await executeCommand(command, {
        unit: this.unitState(),
        scheduler: this.scheduler,
        signal: this.abort.signal,
        fs: this.fs,
        handlers: this.handlers,
        builtins,
        env: { ...DEFAULT_ENV, ...this.options.env, ...this.deployEnv },
        timing: this.options.timing ?? {},
        maxTransferBytes: this.options.maxTransferBytes ?? 64 * 1024 * 1024,
        onDeploy: this.options.onDeploy,
        gsb: this.options.gsb,
        emit: (kind) => this.emit(batch, index, kind),
      });
    } catch (err) {
      if (this.abort.signal.aborted)
        return { returnCode: -1, stdout: null, stderr: null, message: this.stoppedMessage() };
      return { returnCode: 1, stdout: null, stderr: null, message: messageOf(err) };
    } finally {
      this.clock.stopBusy();
    }
  }

  /** The state hooks the command executor may use. */
  private unitState(): UnitState {
    return {
      current: () => this.state.state[0],
      transition: (current, next) => {
        // A crash or destroy during a command wins: the command's own transitions stop there.
        if (!TERMINAL.has(this.state.state[0])) this.setState(current, {}, next ?? null);
      },
      setDeployEnv: (env) => (this.deployEnv = env),
      terminate: () => this.destroy('Terminated by ExeScript'),
    };
  }

  private stoppedMessage(): string {
    const reason: unknown = this.abort.signal.reason;
    return reason instanceof Error ? reason.message : `Activity is ${this.state.state[0]}`;
  }

  private record(batch: Batch, index: number, outcome: CommandOutcome): void {
    batch.addResult({
      index,
      eventDate: new Date(this.scheduler.now()).toISOString(),
      result: outcome.returnCode === 0 ? 'Ok' : 'Error',
      stdout: outcome.stdout,
      stderr: outcome.stderr,
      message: outcome.message,
    });
  }

  private emit(batch: Batch, index: number, kind: RuntimeEventKind): void {
    const timestamp = new Date(this.scheduler.now()).toISOString().replace('Z', '000000');
    batch.emit({ batch_id: batch.id, index, timestamp, kind });
  }
}

/** The message of whatever was thrown (a non-Error is described, never dereferenced). */
function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
