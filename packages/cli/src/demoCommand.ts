import type { Command } from 'commander';
import { CliUsageError } from './CliUsageError.js';
import type { CliContext } from './context.js';
import { isDemoError, runDemo } from './demo.js';
import { action, type RunState } from './runtime.js';

/**
 * `golem-rx demo [--json] [--yagna] [--providers N] [--seed N] [--timeout D]`: the main job
 * (a full rental on the embedded devnet, or on a real yagna with `--yagna`), as `npm run demo`
 * runs it. Its flags are the demo's own (see docs/demo.md); a bad one exits 2.
 */
export function registerDemoCommand(program: Command, ctx: CliContext, state: RunState): void {
  program
    .command('demo')
    .description('run the main job: rent 3 providers on the embedded devnet, run, pay, clean up')
    .helpOption(false)
    .allowUnknownOption()
    .argument('[args...]', 'the demo flags: --json, --yagna, --providers N, --seed N, --timeout D, --help')
    .action(
      action<Record<string, never>>(ctx, state, async (rt, _flags, [args]) => {
        // `--json` is also a global flag, so commander takes it before the demo sees it.
        const argv = [...(rt.globals.json ? ['--json'] : []), ...((args as string[] | undefined) ?? [])];
        try {
          await runDemo(argv, {
            stdout: ctx.stdout,
            stderr: ctx.stderr,
            env: ctx.env,
            isTTY: ctx.isTTY,
            interrupt: ctx.interrupt,
            leftovers: ctx.leftovers,
          });
        } catch (err) {
          if (isDemoError(err) && err.reason === 'usage')
            throw new CliUsageError(err.message, {}, { cause: err });
          throw err;
        }
      }),
    );
}
