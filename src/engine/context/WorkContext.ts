import {
  Observable,
  ReplaySubject,
  type SchedulerLike,
  Subject,
  Subscription,
  asyncScheduler,
  concatMap,
  defer,
  finalize,
  firstValueFrom,
  from,
  lastValueFrom,
  toArray,
} from 'rxjs';
import { BatchTimeoutError, isBatchTimeoutError } from '../errors/BatchTimeoutError.js';
import { WorkContextClosedError } from '../errors/WorkContextClosedError.js';
import type { TransferStorage } from '../../ports/storage.js';
import { type ActivityLike, type OutputChunk, runBatch } from './execute.js';
import { type CommandResult, type PlannedCommand, checkEnv, prepareBatch } from './script.js';

/** Options of one `run` command. */
export interface RunOptions {
  /** Environment variables for this command (names: letters, digits, `_`). */
  env?: Readonly<Record<string, string>>;
  /**
   * How long this command may run, in ms, from the end of the command before it. When it passes,
   * the batch is stopped (the activity destroyed) and `commit()` rejects with `BatchTimeoutError`.
   */
  timeout?: number;
  /**
   * Stream stdout/stderr as they are produced (to `execution.output$`) instead of only at the end.
   * @default false
   */
  stream?: boolean;
}

/** Options of `commit()`. */
export interface CommitOptions {
  /**
   * How long the whole batch may take, in ms. When it passes, the batch is stopped (the activity
   * destroyed) and `commit()` rejects with `BatchTimeoutError`.
   */
  timeout?: number;
}

/** Options of `new WorkContext(…)`. */
export interface WorkContextOptions {
  /** Where transfers get their URLs. */
  storage: TransferStorage;
  /** The clock of the timeouts. @default asyncScheduler */
  scheduler?: SchedulerLike;
  /**
   * Is the activity deployed and started? If not, the first batch deploys and starts it, whatever
   * its first command is.
   * @default false
   */
  started?: boolean;
}

/**
 * A committed batch: awaitable for every command's result, or observed command by command.
 */
export interface Execution extends PromiseLike<CommandResult[]> {
  /** Each command's result as it finishes (replayed to late subscribers); errors as the batch. */
  readonly results$: Observable<CommandResult>;
  /**
   * The output of the commands run with `{ stream: true }`, chunk by chunk, while they run. Hot:
   * subscribe right after `commit()`. Completes with the batch.
   */
  readonly output$: Observable<OutputChunk>;
}

/**
 * The commands of a worker on one activity, collected and sent as batches: the `WorkContext` of
 * yapapi, with transfers over the requestor's own HTTP server (no gftp).
 *
 * Collect commands (`sendJson`, `sendBytes`, `sendFile`, `run`, `downloadFile`, `downloadBytes`),
 * then `commit()` to send them as one batch. A batch runs its commands in order and stops at the
 * first failure: `commit()` rejects with `BatchError` naming it. Local paths are checked before
 * anything is sent (`LocalPathError`). Timeouts (per command, per batch) really stop the batch: the
 * activity is destroyed, and the context is closed. A context the engine stopped rejects every
 * commit with `WorkContextClosedError`.
 *
 * @example
 * ```ts
 * ctx.sendJson('/golem/input/params.json', { frame: 7 })
 *   .run('/bin/sh', '-c', 'render /golem/input/params.json > /golem/output/out.png', { env: { QUALITY: 'high' }, timeout: 60_000 })
 *   .downloadFile('/golem/output/out.png', './out-7.png');
 * const results = await ctx.commit({ timeout: 120_000 });
 * ```
 */
export class WorkContext {
  private readonly pending: PlannedCommand[] = [];
  private readonly inFlight = new Set<{ sub: Subscription; fail: (error: unknown) => void }>();
  private readonly controller = new AbortController();
  private readonly scheduler: SchedulerLike;
  private started: boolean;

  /**
   * @param activity the activity to run on
   * @param options see {@link WorkContextOptions}
   */
  constructor(
    readonly activity: ActivityLike,
    private readonly options: WorkContextOptions,
  ) {
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.started = options.started ?? false;
  }

  /** Has the context been closed (by the engine, or by a timed-out batch)? */
  get closed(): boolean {
    return this.controller.signal.aborted;
  }

  /** Aborted when the context closes: hand it to your own async work in the worker. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Sends `data` as JSON to the provider's `path`. */
  sendJson(path: string, data: unknown): this {
    const bytes = new TextEncoder().encode(JSON.stringify(data));
    this.pending.push({ kind: 'sendJson', dst: path, bytes });
    return this;
  }

  /** Sends `data` (text is UTF-8) to the provider's `path`. */
  sendBytes(path: string, data: Uint8Array | string): this {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    this.pending.push({ kind: 'sendBytes', dst: path, bytes });
    return this;
  }

  /** Sends the local file `src` to the provider's `dst`. */
  sendFile(src: string, dst: string): this {
    this.pending.push({ kind: 'sendFile', src, dst });
    return this;
  }

  /**
   * Runs `cmd` with `args` on the provider; a last argument that is an object is {@link RunOptions}.
   * stdout and stderr are captured as text in the command's result.
   * @throws {RangeError} for an invalid environment variable name
   */
  run(cmd: string, ...args: Array<string | RunOptions>): this {
    const last = args.at(-1);
    const options: RunOptions = typeof last === 'object' ? last : {};
    const strings = args.filter((a): a is string => typeof a === 'string');
    checkEnv(options.env);
    this.pending.push({
      kind: 'run',
      entryPoint: cmd,
      args: strings,
      env: options.env,
      timeout: options.timeout,
      stream: options.stream ?? false,
    });
    return this;
  }

  /** Downloads the provider's `src` into the local file `dst` (whose directory must exist). */
  downloadFile(src: string, dst: string): this {
    this.pending.push({ kind: 'downloadFile', src, dst });
    return this;
  }

  /** Downloads the provider's `src` into memory: the command's result carries its `bytes`. */
  downloadBytes(src: string): this {
    this.pending.push({ kind: 'downloadBytes', src });
    return this;
  }

  /**
   * Sends the commands collected since the last commit as one batch; starts at once.
   * @returns the {@link Execution}: await it for every result
   */
  commit(options: CommitOptions = {}): Execution {
    const commands = this.pending.splice(0);
    const results = new ReplaySubject<CommandResult>(Math.max(1, commands.length));
    const output = new Subject<OutputChunk>();
    const execution: Execution = {
      results$: results.asObservable(),
      output$: output.asObservable(),
      then: (onfulfilled, onrejected) => lastValueFrom(results.pipe(toArray())).then(onfulfilled, onrejected),
    };
    if (this.closed) {
      results.error(new WorkContextClosedError({ activityId: this.activity.id }));
      output.complete();
      return execution;
    }
    const started = this.started;
    this.started = true;
    const run$ = defer(() => from(prepareBatch(commands, this.options.storage, started))).pipe(
      concatMap((prepared) =>
        runBatch(this.activity, prepared, {
          scheduler: this.scheduler,
          timeout: options.timeout,
          output: (chunk) => output.next(chunk),
        }).pipe(finalize(() => prepared.close())),
      ),
    );
    const entry = {
      sub: new Subscription(),
      fail: (error: unknown) => {
        results.error(error);
        output.complete();
      },
    };
    this.inFlight.add(entry);
    entry.sub.add(
      run$.subscribe({
        next: (result) => results.next(result),
        error: (error: unknown) => {
          this.inFlight.delete(entry);
          if (isBatchTimeoutError(error)) this.stopBatch(error, entry.fail);
          else entry.fail(error);
        },
        complete: () => {
          this.inFlight.delete(entry);
          results.complete();
          output.complete();
        },
      }),
    );
    return execution;
  }

  /**
   * Closes the context: collected commands are dropped, batches in flight stop being followed and
   * their `commit()` rejects with `WorkContextClosedError`, later commits too. The engine closes
   * the context of a worker it stops. Idempotent.
   */
  close(): void {
    if (this.closed) return;
    this.controller.abort(new WorkContextClosedError({ activityId: this.activity.id }));
    this.pending.length = 0;
    for (const entry of [...this.inFlight]) {
      this.inFlight.delete(entry);
      entry.sub.unsubscribe();
      entry.fail(new WorkContextClosedError({ activityId: this.activity.id }));
    }
  }

  /**
   * A deadline passed: the batch must really stop, and a batch cannot be cancelled on yagna, so
   * the activity is destroyed (detached: closing the context must not abort it), then the commit
   * fails with the timeout.
   */
  private stopBatch(error: BatchTimeoutError, fail: (error: unknown) => void): void {
    this.close();
    firstValueFrom(this.activity.destroy(), { defaultValue: undefined }).then(
      () => fail(error),
      (cause: unknown) =>
        fail(
          new BatchTimeoutError(
            {
              activityId: error.activityId,
              batchId: error.batchId,
              commandIndex: error.commandIndex,
              timeoutMs: error.timeoutMs,
            },
            { cause },
          ),
        ),
    );
  }
}
