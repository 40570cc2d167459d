/**
 * Installing and removing signal handlers, on a process-like object so that tests can use an
 * `EventEmitter`, with the Ctrl-C policy of a program that cleans up after itself: the first
 * signal starts the cleanup, a second one while it runs is ignored with a message, a third forces.
 *
 * @module
 */

/** The part of Node's `process` the signal handlers use. */
export interface SignalProcess {
  readonly pid: number;
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  kill(pid: number, signal: NodeJS.Signals): unknown;
  /** Where the "still cleaning up" message goes (Node's `process.stderr`); none when absent. */
  readonly stderr?: { write(text: string): unknown };
}

/** The message of a signal received while the cleanup runs (the one before the forcing one). */
export const CLEANING_UP_MESSAGE = 'still cleaning up: press Ctrl-C again to force the exit\n';

/** Options of {@link SignalHandlers}. */
export interface SignalHandlersOptions {
  /**
   * Called with the signal that forces the exit: the second one received after the cleanup began
   * (by the first signal, or by {@link SignalHandlers.cleaningUp}).
   * @default the `onSignal` callback
   */
  onForce?: (signal: NodeJS.Signals) => void;
  /**
   * The message written to the process's `stderr` for the first signal received while the
   * cleanup runs (that signal does nothing else).
   * @default {@link CLEANING_UP_MESSAGE}
   */
  message?: string;
}

/**
 * Handlers for a set of signals, installed at most once and removable, with the escalation of a
 * program that cleans up before it exits:
 *
 * ```text
 * signals:  -1----------2-----------3-----
 * calls:    -onSignal---message-----onForce
 * ```
 *
 * The first signal calls `onSignal` (start the cleanup). While the cleanup runs, the next one is
 * ignored except for a message on stderr ("still cleaning up: press Ctrl-C again…"), so that an
 * impatient second Ctrl-C cannot cut the cleanup short; the one after it calls `onForce` (exit
 * now, saying what was left open). A cleanup begun without a signal counts as the first one
 * ({@link cleaningUp}).
 */
export class SignalHandlers {
  private installed = false;
  private cleaning = false;
  private warned = false;

  /**
   * @param target the process
   * @param signals the signals to handle
   * @param onSignal called with the first signal (and with the forcing one, unless `onForce`)
   * @param options see {@link SignalHandlersOptions}
   */
  constructor(
    private readonly target: SignalProcess | undefined,
    private readonly signals: readonly NodeJS.Signals[],
    private readonly onSignal: (signal: NodeJS.Signals) => void,
    private readonly options: SignalHandlersOptions = {},
  ) {}

  /** Installs the handlers (once; a no-op after {@link remove}). */
  install(): void {
    if (this.installed || this.target === undefined) return;
    this.installed = true;
    for (const signal of this.signals) this.target.on(signal, this.listener);
  }

  /** Removes the handlers; later signals get the process's default behaviour. Idempotent. */
  remove(): void {
    if (!this.installed || this.target === undefined) return;
    this.installed = false;
    for (const signal of this.signals) this.target.off(signal, this.listener);
  }

  /** Removes the handlers and sends `signal` to the process again, for its default action. */
  reraise(signal: NodeJS.Signals): void {
    this.remove();
    this.target?.kill(this.target.pid, signal);
  }

  /**
   * The cleanup has begun without a signal (a server closed, the work ended): the next signal
   * only gets the message, the one after it forces. Idempotent.
   */
  cleaningUp(): void {
    this.cleaning = true;
  }

  private readonly listener = (signal: NodeJS.Signals): void => {
    if (!this.cleaning) {
      this.cleaning = true;
      this.onSignal(signal);
    } else if (!this.warned) {
      this.warned = true;
      this.target?.stderr?.write(this.options.message ?? CLEANING_UP_MESSAGE);
    } else {
      (this.options.onForce ?? this.onSignal)(signal);
    }
  };
}

/** The process, when there is one (not in a browser or worker without `process`). */
export function defaultProcess(): SignalProcess | undefined {
  return typeof process === 'undefined' ? undefined : process;
}
