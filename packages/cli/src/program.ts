/**
 * The `golem-rx` program: commander with the global options and every command group, run against
 * an injected {@link CliContext} so that tests capture what it prints and the exit code.
 */
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { redactText } from 'golem-rx';
import { registerAllocationCommands } from './allocation.js';
import { isCliCommandError } from './CliCommandError.js';
import type { CliContext } from './context.js';
import { registerDemandCommands } from './demand.js';
import { registerDemoCommand } from './demoCommand.js';
import { registerDevnetCommand } from './devnet.js';
import { EXIT, debugDetails, describeCliError, oneLine } from './errors.js';
import { registerFindNodeCommand } from './findNode.js';
import { registerInvoiceCommands } from './invoice.js';
import { registerMarketCommands } from './market.js';
import { CommandRuntime, readGlobals, type RunState } from './runtime.js';
import { registerStatusCommand } from './status.js';

/** The package version (`golem-rx --version`); works from `src/` and from `dist/`. */
function packageVersion(): string {
  const pkg: unknown = createRequire(import.meta.url)('../package.json');
  const version =
    typeof pkg === 'object' && pkg !== null ? (pkg as { version?: unknown }).version : undefined;
  return typeof version === 'string' ? version : '0.0.0';
}

/**
 * Builds the commander program of one run: global options, every command, output to `ctx`,
 * and no `process.exit` (commander throws a `CommanderError` instead).
 *
 * @param ctx the injected world
 * @param state where the actions leave the runtime and the exit code
 * @param secrets what commander's own error messages must not show (the app key)
 */
export function createProgram(
  ctx: CliContext,
  state: RunState,
  secrets: readonly (string | undefined)[] = [],
): Command {
  const program = new Command('golem-rx')
    .description(
      'The chores around a Golem requestor: what is open, providers, allocations, demands, invoices, devnet.',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--api-url <url>', 'yagna API root (default: $YAGNA_API_URL, else http://127.0.0.1:7465)')
    .option('--app-key <key>', 'yagna app key (default: $YAGNA_APPKEY)')
    .option('--json', 'machine-readable output: JSON (streams: one object a line)')
    .option('--debug', 'print stack traces of errors')
    .option('--no-color', 'no colours (also: NO_COLOR=1)')
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.stdout.write(text),
      writeErr: (text) => ctx.stderr.write(text),
      outputError: (text, write) =>
        write(`golem-rx: ${redactText(oneLine(text.replace(/^error: /, '')), secrets)}\n`),
    })
    .addHelpText(
      'after',
      '\nEnvironment: YAGNA_API_URL, YAGNA_APPKEY, YAGNA_SUBNET, NO_COLOR, GOLEM_RX_SESSION_FILE. See docs/cli.md.',
    );
  registerStatusCommand(program, ctx, state);
  registerFindNodeCommand(program, ctx, state);
  registerMarketCommands(program, ctx, state);
  registerAllocationCommands(program, ctx, state);
  registerDemandCommands(program, ctx, state);
  registerInvoiceCommands(program, ctx, state);
  registerDevnetCommand(program, ctx, state);
  registerDemoCommand(program, ctx, state);
  return program;
}

/** The app keys a run may know before commander has parsed: `$YAGNA_APPKEY` and `--app-key`'s value. */
function secretsOf(argv: readonly string[], ctx: CliContext): (string | undefined)[] {
  const secrets = [ctx.env.YAGNA_APPKEY];
  argv.forEach((arg, i) => {
    if (arg === '--app-key') secrets.push(argv[i + 1]);
    else if (arg.startsWith('--app-key=')) secrets.push(arg.slice('--app-key='.length));
  });
  return secrets.filter((s) => s !== undefined && s !== '');
}

/** Exit code of a commander outcome: help and version are success; a usage error is 2. */
function commanderExit(err: CommanderError): number {
  if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
  return EXIT.usage;
}

/**
 * Runs `golem-rx` with `argv` (the arguments after the program name) and resolves with the exit
 * code. Never throws and never exits the process: errors are printed on `ctx.stderr` as one line
 * (`golem-rx: …`), with the stack trace only under `--debug`, and never with the app key.
 *
 * @param argv e.g. `['allocation', 'new', '5', '--network', 'holesky']`
 * @param ctx the injected world
 * @returns the exit code (0 ok, 1 failure, 2 usage, 130 interrupted)
 * @example
 * const code = await runCli(['status', '--json'], { stdout, stderr, stdin, env, isTTY });
 */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  const state: RunState = { runtime: undefined, exitCode: EXIT.ok };
  const secrets = secretsOf(argv, ctx);
  try {
    await createProgram(ctx, state, secrets).parseAsync([...argv], { from: 'user' });
    return state.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return commanderExit(err);
    const runtime = state.runtime ?? new CommandRuntime(ctx, readGlobals({}));
    const known = runtime.errorSite();
    const site = { ...known, secrets: [...known.secrets, ...secrets] };
    const report =
      ctx.interrupt?.aborted === true && !isCliCommandError(err)
        ? { exitCode: EXIT.interrupted, message: 'interrupted' }
        : describeCliError(err, site);
    ctx.stderr.write(`${runtime.out.errColors.red('golem-rx:')} ${report.message}\n`);
    if (runtime.globals.debug) ctx.stderr.write(`${debugDetails(err, site.secrets)}\n`);
    return report.exitCode;
  }
}
