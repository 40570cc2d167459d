import { Observable, Subject } from 'rxjs';
import type { ExeScriptCommand, ExeScriptCommandResult, RuntimeEvent } from './exescript.js';

/** A finished command as the batch stores it: its result without `isBatchFinished`. */
export type CommandRecord = Omit<ExeScriptCommandResult, 'isBatchFinished'>;

/**
 * One executed ExeScript: its commands, the records of finished commands, and its events
 * (a bounded replay buffer plus a live Subject, completed when the batch finishes).
 */
export class Batch {
  private readonly records: CommandRecord[] = [];
  private readonly replay: RuntimeEvent[] = [];
  private readonly live = new Subject<RuntimeEvent>();
  private readonly changed = new Subject<void>();
  private done = false;
  /** Index of the command running now, if any. */
  running: number | undefined;

  constructor(
    readonly id: string,
    readonly commands: readonly ExeScriptCommand[],
    private readonly maxReplay: number,
  ) {}

  /** Has the batch ended (last command done, an error, or the activity gone)? */
  get finished(): boolean {
    return this.done;
  }

  /** Emits on every new result and when the batch finishes; completes with it. */
  get changes$(): Observable<void> {
    return this.changed.asObservable();
  }

  /** Records and broadcasts a RuntimeEvent. The replay buffer keeps the last `maxReplay`. */
  emit(event: RuntimeEvent): void {
    if (this.done) return;
    this.replay.push(event);
    if (this.replay.length > this.maxReplay) this.replay.shift();
    this.live.next(event);
  }

  /** Stores the result of a finished command. */
  addResult(record: CommandRecord): void {
    if (this.done) return;
    this.records.push(record);
    this.changed.next();
  }

  /** Ends the batch: completes the event stream and the change notifications. */
  finish(): void {
    if (this.done) return;
    this.done = true;
    this.running = undefined;
    this.changed.next();
    this.changed.complete();
    this.live.complete();
  }

  /** Is the wait of A3 over: the batch finished, or the command at `commandIndex` is done? */
  isSettled(commandIndex: number | undefined): boolean {
    return this.done || (commandIndex !== undefined && this.records.some((r) => r.index >= commandIndex));
  }

  /**
   * Results as yagna's `getExecBatchResults` returns them: cumulative from index 0 up to the
   * awaited index (`commandIndex`, or the last command); `isBatchFinished` is true for the
   * awaited index and for an `Error`; with `commandIndex`, stdout/stderr are filled only for
   * that command (Real behaviour of the exe-unit).
   */
  results(commandIndex?: number): ExeScriptCommandResult[] {
    const last = commandIndex ?? this.commands.length - 1;
    return this.records
      .filter((r) => r.index <= last)
      .map((r) => {
        const output = commandIndex === undefined || commandIndex === r.index;
        return {
          index: r.index,
          eventDate: r.eventDate,
          result: r.result,
          stdout: output ? r.stdout : null,
          stderr: output ? r.stderr : null,
          message: r.message,
          isBatchFinished: r.index === last || r.result === 'Error',
        };
      });
  }

  /**
   * The batch's RuntimeEvents: what the replay buffer holds, then live ones; completes when the
   * batch finishes (at once if it already has).
   */
  events$(): Observable<RuntimeEvent> {
    return new Observable<RuntimeEvent>((subscriber) => {
      for (const event of [...this.replay]) {
        if (subscriber.closed) return;
        subscriber.next(event);
      }
      if (this.done) {
        subscriber.complete();
        return;
      }
      return this.live.subscribe(subscriber);
    });
  }
}
