/**
 * Installing and removing the registry's signal handlers, on a process-like object so that tests
 * can use an `EventEmitter`.
 *
 * @module
 */

/** The part of Node's `process` the registry uses for signals. */
export interface SignalProcess {
  readonly pid: number;
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  kill(pid: number, signal: NodeJS.Signals): unknown;
}

/** Handlers for a set of signals, installed at most once and removable. */
export class SignalHandlers {
  private installed = false;

  /**
   * @param target the process
   * @param signals the signals to handle
   * @param onSignal called with each signal received while installed
   */
  constructor(
    private readonly target: SignalProcess | undefined,
    private readonly signals: readonly NodeJS.Signals[],
    private readonly onSignal: (signal: NodeJS.Signals) => void,
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

  private readonly listener = (signal: NodeJS.Signals): void => {
    this.onSignal(signal);
  };
}

/** The process, when there is one (not in a browser or worker without `process`). */
export function defaultProcess(): SignalProcess | undefined {
  return typeof process === 'undefined' ? undefined : process;
}
