/**
 * Confirmation of destructive actions that reach beyond this CLI's session: asked on a terminal,
 * refused on a non-terminal unless `--yes` was given.
 */
import { createInterface } from 'node:readline';
import { CliCommandError } from './CliCommandError.js';
import { CliUsageError } from './CliUsageError.js';
import { EXIT } from './errors.js';
import type { CommandRuntime } from './runtime.js';

/** What is about to happen, for the prompt and the refusal. */
export interface ConfirmRequest {
  /** The question, e.g. `Release 3 allocations of this app key (not only this CLI's)?`. */
  readonly question: string;
  /** What the refusal says would have happened, e.g. `release every allocation of this app key`. */
  readonly action: string;
  /** `--yes` was given. */
  readonly yes: boolean;
}

/**
 * Proceeds when `--yes` was given or the user answers `y`/`yes` on the terminal.
 *
 * @throws CliUsageError when nobody can answer (stdin or stderr is not a terminal) and `--yes` is missing
 * @throws CliCommandError when the user declines (exit 1) or presses Ctrl-C (exit 130)
 */
export async function confirmWide(rt: CommandRuntime, request: ConfirmRequest): Promise<void> {
  if (request.yes) return;
  const { ctx } = rt;
  if (!ctx.isTTY.stdin || !ctx.isTTY.stderr) {
    throw new CliUsageError(
      `refusing to ${request.action} without confirmation: pass --yes, or --mine for only what this CLI created`,
      { argument: '--yes' },
    );
  }
  const answer = await ask(rt, `${request.question} [y/N] `);
  if (answer === undefined) {
    throw new CliCommandError('interrupted: nothing was changed', { exitCode: EXIT.interrupted });
  }
  if (!/^y(es)?$/i.test(answer.trim())) throw new CliCommandError('aborted: nothing was changed');
}

/** Writes the prompt on stderr and reads one line from stdin; `undefined` on Ctrl-C, `''` at the end of input. */
function ask(rt: CommandRuntime, prompt: string): Promise<string | undefined> {
  const { ctx, interrupt } = rt;
  if (interrupt.aborted) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const rl = createInterface({ input: ctx.stdin, terminal: false });
    let settled = false;
    const finish = (answer: string | undefined): void => {
      if (settled) return;
      settled = true;
      interrupt.removeEventListener('abort', onAbort);
      rl.close();
      if (answer === undefined) ctx.stderr.write('\n');
      resolve(answer);
    };
    const onAbort = (): void => finish(undefined);
    interrupt.addEventListener('abort', onAbort);
    rl.once('line', (line) => finish(line));
    rl.once('close', () => finish('')); // end of input: no answer, so no
    ctx.stderr.write(prompt);
  });
}
