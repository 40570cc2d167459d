/**
 * `golem-rx devnet`: starts a devnet in the foreground, prints its URL and app key, and stops
 * cleanly on SIGINT/SIGTERM.
 *
 * ```text
 * golem-rx devnet [--port 7465] [--host 127.0.0.1] [--providers 20] [--seed 1] [--app-key KEY]
 *                 [--latency MS] [--faults SPEC] [--subnets public=3,beta=1] [--max-agreements N]
 * ```
 */
import { parseArgs } from 'node:util';
import type { Command } from 'commander';
import { DevnetConfigError } from '../devnet/errors/DevnetConfigError.js';
import { startDevnet } from '../devnet/startDevnet.js';
import type { DevnetHandle, DevnetOptions } from '../devnet/options.js';
import type { CliContext } from './context.js';
import { action, type RunState } from './runtime.js';

/** The usage text of `golem-rx devnet`. */
export const DEVNET_USAGE = `Usage: golem-rx devnet [options]

Starts a local yagna twin with simulated providers.

Options:
  --port <n>            TCP port (default 7465; 0 picks a free one)
  --host <addr>         interface to bind (default 127.0.0.1)
  --providers <n>       number of simulated providers (default 20)
  --seed <n>            PRNG seed; the same seed gives the same market (default 1)
  --app-key <key>       app key clients must present (default: random)
  --latency <ms>        latency added to every request (default 0)
  --faults <spec>       faults, e.g. 'http:500@GET /market-api/v1/demands/*/events:times=2;provider:rejectCounter:p=0.3'
  --subnets <mix>       subnet mix of the providers, e.g. public=3,devnet-beta=1 (default public)
  --max-agreements <n>  most agreements a provider holds at once (default unlimited)
  -h, --help            show this help
`;

/**
 * Parses `golem-rx devnet` flags into devnet options.
 *
 * @returns `undefined` when `--help` was asked for.
 * @throws DevnetConfigError on an unknown flag or a malformed value.
 */
export function parseDevnetArgs(argv: readonly string[]): DevnetOptions | undefined {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        providers: { type: 'string' },
        seed: { type: 'string' },
        'app-key': { type: 'string' },
        latency: { type: 'string' },
        faults: { type: 'string' },
        subnets: { type: 'string' },
        'max-agreements': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new DevnetConfigError(
      err instanceof Error ? err.message : String(err),
      { option: 'argv' },
      { cause: err },
    );
  }
  if (values.help === true) return undefined;
  return devnetOptionsFromFlags({
    port: values.port,
    host: values.host,
    providers: values.providers,
    seed: values.seed,
    appKey: values['app-key'],
    latency: values.latency,
    faults: values.faults,
    subnets: values.subnets,
    maxAgreements: values['max-agreements'],
  });
}

/** The flags of `golem-rx devnet` as text, before validation. */
export interface DevnetFlags {
  readonly port?: string;
  readonly host?: string;
  readonly providers?: string;
  readonly seed?: string;
  readonly appKey?: string;
  readonly latency?: string;
  readonly faults?: string;
  readonly subnets?: string;
  readonly maxAgreements?: string;
}

/**
 * Validates `golem-rx devnet` flags into devnet options (the port defaults to yagna's 7465).
 *
 * @throws DevnetConfigError on a malformed value
 */
export function devnetOptionsFromFlags(flags: DevnetFlags): DevnetOptions {
  const int = (name: string, text: string | undefined, min: number): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (text.trim() === '' || !Number.isInteger(n) || n < min) {
      throw new DevnetConfigError(`--${name} must be an integer >= ${min}`, { option: name, value: text });
    }
    return n;
  };
  const options: { -readonly [K in keyof DevnetOptions]: DevnetOptions[K] } = {
    port: int('port', flags.port, 0) ?? 7465,
  };
  const providers = int('providers', flags.providers, 0);
  const seed = flags.seed === undefined ? undefined : int('seed', flags.seed, Number.MIN_SAFE_INTEGER);
  const latency = int('latency', flags.latency, 0);
  const maxAgreements = int('max-agreements', flags.maxAgreements, 1);
  if (flags.host !== undefined) options.host = flags.host;
  if (providers !== undefined) options.providers = providers;
  if (seed !== undefined) options.seed = seed;
  if (flags.appKey !== undefined) options.appKey = flags.appKey;
  if (latency !== undefined) options.latency = latency;
  if (flags.faults !== undefined) options.faults = flags.faults;
  if (flags.subnets !== undefined) options.subnets = parseSubnets(flags.subnets);
  if (maxAgreements !== undefined) options.maxAgreementsPerProvider = maxAgreements;
  return options;
}

/** `public=3,beta=1` (a bare tag weighs 1) → `{ public: 3, beta: 1 }`. */
export function parseSubnets(text: string): Record<string, number> {
  const mix: Record<string, number> = {};
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)) {
    const [tag = '', weightText] = part.split('=');
    const weight = weightText === undefined ? 1 : Number(weightText);
    if (tag === '' || !(weight > 0)) {
      throw new DevnetConfigError(`Invalid subnet weight "${part}" (expected tag=weight)`, {
        option: 'subnets',
        value: text,
      });
    }
    mix[tag] = weight;
  }
  if (Object.keys(mix).length === 0)
    throw new DevnetConfigError('Empty subnet mix', { option: 'subnets', value: text });
  return mix;
}

/**
 * Runs `golem-rx devnet`: starts the devnet, prints its URL and app key, and resolves once
 * it has stopped after SIGINT or SIGTERM.
 *
 * @param argv the arguments after `devnet`.
 * @param io where to print (default: the process's stdout) and which process signals to honour.
 */
export async function runDevnetCommand(
  argv: string[],
  io: { print?: (line: string) => void; signals?: NodeJS.EventEmitter } = {},
): Promise<void> {
  const print = io.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const signals = io.signals ?? process;
  const options = parseDevnetArgs(argv);
  if (options === undefined) {
    print(DEVNET_USAGE);
    return;
  }
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  signals.on('SIGINT', onSignal);
  signals.on('SIGTERM', onSignal);
  try {
    await serveDevnet(options, print, stop.signal);
  } finally {
    signals.off('SIGINT', onSignal);
    signals.off('SIGTERM', onSignal);
  }
}

/**
 * Starts a devnet, prints its URL and app key, and resolves once it has stopped after `stop`
 * aborted.
 *
 * @param options the devnet's options
 * @param print where the lines go
 * @param stop aborts to stop the devnet (Ctrl-C)
 */
export async function serveDevnet(
  options: DevnetOptions,
  print: (line: string) => void,
  stop: AbortSignal,
): Promise<void> {
  const devnet: DevnetHandle = await startDevnet(options);
  print(`devnet listening on ${devnet.url} with ${devnet.providers.length} providers`);
  print(`YAGNA_API_URL=${devnet.url}`);
  print(`YAGNA_APPKEY=${devnet.appKey}`);
  print('Press Ctrl+C to stop.');
  if (!stop.aborted) {
    await new Promise<void>((resolve) => stop.addEventListener('abort', () => resolve(), { once: true }));
  }
  await devnet.stop();
  print('devnet stopped');
}

/**
 * Registers `devnet` on the program, with the flags of {@link DEVNET_USAGE}; `--app-key` is the
 * global option (only its explicit value: the devnet does not adopt `YAGNA_APPKEY`).
 *
 * @param program the root command
 * @param ctx the injected world (Ctrl-C is `ctx.interrupt`)
 * @param state shared with `runCli`
 */
export function registerDevnetCommand(program: Command, ctx: CliContext, state: RunState): void {
  program
    .command('devnet')
    .description('start devnet, a local yagna twin with simulated providers, until Ctrl-C')
    .option('--port <n>', 'TCP port (0 picks a free one)', '7465')
    .option('--host <addr>', 'interface to bind', '127.0.0.1')
    .option('--providers <n>', 'number of simulated providers', '20')
    .option('--seed <n>', 'PRNG seed; the same seed gives the same market', '1')
    .option('--latency <ms>', 'latency added to every request')
    .option(
      '--faults <spec>',
      "faults, e.g. 'http:500@GET /market-api/v1/demands/*/events:times=2;provider:rejectCounter:p=0.3'",
    )
    .option('--subnets <mix>', 'subnet mix of the providers, e.g. public=3,devnet-beta=1')
    .option('--max-agreements <n>', 'most agreements a provider holds at once')
    .addHelpText('after', '\nThe app key clients must present is --app-key (default: a random one, printed).')
    .action(
      action<Omit<DevnetFlags, 'appKey'>>(ctx, state, async (rt, flags) => {
        const options = devnetOptionsFromFlags({ ...flags, appKey: rt.globals.appKey });
        await serveDevnet(options, (line) => rt.out.line(line), rt.interrupt);
      }),
    );
}
