/**
 * Ctrl-C for golem-rx's entry points (`golem-rx`, packages/cli/src/main.ts; `npm run demo`,
 * examples/demo.ts): the first SIGINT/SIGTERM aborts the run's interrupt signal, and the run
 * cleans up (closes its node, unsubscribes its demand). A second one while it does so is ignored
 * with `golem-rx: still cleaning up: press Ctrl-C again to force the exit` on stderr, so that an
 * impatient Ctrl-C no longer leaves agreements, activities and allocations open without a word.
 * A third one exits at once with 130, after printing what is still open and recording the
 * allocations and demands among it in the CLI's session file, where `--mine` finds them.
 *
 * This is the process edge: it uses the real process and its exit.
 */
import { CLEANING_UP_MESSAGE, SignalHandlers, type SignalProcess } from 'golem-rx/web';
import { EXIT } from './errors.js';
import type { Leftovers } from './leftovers.js';

/** The part of Node's `process` the handlers use (a double in tests). */
export interface InterruptProcess extends SignalProcess {
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  exit(code: number): void;
}

/** Options of {@link handleInterrupts}. */
export interface HandleInterruptsOptions {
  /** Aborted on the first signal: the run stops and cleans up. */
  readonly interrupt: AbortController;
  /** What the run holds open: printed and recorded on a forced exit. */
  readonly leftovers: Leftovers;
  /** @default process */
  readonly process?: InterruptProcess;
}

/**
 * Installs the SIGINT/SIGTERM handlers of an entry point (see the module documentation).
 *
 * ```text
 * signals:  -1----------2------------------3---------
 * effect:   -abort------"still cleaning up"-list, record, exit(130)
 * ```
 *
 * @returns `remove()`, to call when the run is over (later signals get Node's default)
 * @example
 * ```ts
 * const interrupt = new AbortController();
 * const leftovers = new Leftovers();
 * const signals = handleInterrupts({ interrupt, leftovers });
 * try { await runDemo(argv, { interrupt: interrupt.signal, leftovers }); } finally { signals.remove(); }
 * ```
 */
export function handleInterrupts(options: HandleInterruptsOptions): { remove(): void } {
  const target = options.process ?? process;
  let forcing = false;
  const handlers = new SignalHandlers(target, ['SIGINT', 'SIGTERM'], () => options.interrupt.abort(), {
    message: `golem-rx: ${CLEANING_UP_MESSAGE}`,
    onForce: () => {
      if (forcing) return;
      forcing = true;
      void forceExit(target, options.leftovers);
    },
  });
  handlers.install();
  return { remove: () => handlers.remove() };
}

/** Prints what is still open, records it for `--mine`, exits with 130. */
async function forceExit(target: InterruptProcess, leftovers: Leftovers): Promise<void> {
  const open = leftovers.describe();
  target.stderr.write(
    open === ''
      ? 'golem-rx: forced exit: nothing was left open\n'
      : `golem-rx: forced exit while cleaning up; left open:\n${open}`,
  );
  try {
    const { path, count } = await leftovers.record(target.env);
    if (count > 0) {
      target.stderr.write(
        `golem-rx: recorded in ${path}: release them with ` +
          '`golem-rx allocation clean --mine` and `golem-rx demand clear --mine`\n',
      );
    }
  } catch (err) {
    target.stderr.write(
      `golem-rx: could not record them: ${err instanceof Error ? err.message : String(err)}\n`,
    );
  }
  target.exit(EXIT.interrupted);
}
