/**
 * `golem-rx devnet`: starts a devnet in the foreground, prints the variables a client needs as
 * `export NAME=value` lines (every other line is a `#` comment, so the output can be sourced),
 * and stops cleanly on SIGINT/SIGTERM. The app key is `--app-key`, else `YAGNA_APPKEY` from the
 * environment, else a random one; the origins web pages may call it from (CORS) are
 * `--allow-origin`, else `YAGNA_API_ALLOW_ORIGIN`, as yagna's `--api-allow-origin`.
 *
 * ```text
 * golem-rx devnet [--port 7465] [--host 127.0.0.1] [--providers 20] [--seed 1] [--app-key KEY]
 *                 [--latency MS] [--faults SPEC] [--subnets public=3,beta=1] [--max-agreements N]
 *                 [--allow-origin http://127.0.0.1:8080,…|*]
 * ```
 */
import { parseArgs } from 'node:util';
import type { Command } from 'commander';
import {
  DevnetConfigError,
  type DevnetHandle,
  type DevnetOptions,
  parseAllowOrigin,
  startDevnet,
} from '@golem-rx/devnet';
import type { CliContext } from './context.js';
import { action, type RunState } from './runtime.js';

/** The usage text of `golem-rx devnet`. */
export const DEVNET_USAGE = `Usage: golem-rx devnet [options]

Starts a local yagna twin with simulated providers.

Options:
  --port <n>            TCP port, 0-65535 (default 7465; 0 picks a free one)
  --host <addr>         interface to bind (default 127.0.0.1)
  --providers <n>       number of simulated providers (default 20)
  --seed <n>            PRNG seed; the same seed gives the same market (default 1)
  --app-key <key>       app key clients must present (default: $YAGNA_APPKEY, else random)
  --latency <ms>        latency added to every request (default 0)
  --faults <spec>       faults, e.g. 'http:500@GET /market-api/v1/demands/*/events:times=2;provider:rejectCounter:p=0.3'
  --subnets <mix>       subnet mix of the providers, e.g. public=3,devnet-beta=1 (default public)
  --max-agreements <n>  most agreements a provider holds at once (default unlimited)
  --allow-origin <list> origins whose web pages may call it (CORS), comma-separated, or '*'
                        (default: $YAGNA_API_ALLOW_ORIGIN, else none)
  -h, --help            show this help

Prints export lines for YAGNA_API_URL, YAGNA_APPKEY and GOLEM_REGISTRY_URL (devnet's image registry).
`;

/**
 * Parses `golem-rx devnet` flags into devnet options.
 *
 * @param argv the arguments after `devnet`
 * @param env where `YAGNA_APPKEY` and `YAGNA_API_ALLOW_ORIGIN` are read when `--app-key` and
 *   `--allow-origin` are not given (default: none)
 * @returns `undefined` when `--help` was asked for.
 * @throws DevnetConfigError on an unknown flag or a malformed value.
 */
export function parseDevnetArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): DevnetOptions | undefined {
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
        'allow-origin': { type: 'string' },
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
    appKey: values['app-key'] ?? envAppKey(env),
    latency: values.latency,
    faults: values.faults,
    subnets: values.subnets,
    maxAgreements: values['max-agreements'],
    allowOrigin: values['allow-origin'] ?? env.YAGNA_API_ALLOW_ORIGIN,
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
  /** Origins allowed to call from a web page, comma-separated, or `*` (`--allow-origin`). */
  readonly allowOrigin?: string;
}

/**
 * Validates `golem-rx devnet` flags into devnet options (the port defaults to yagna's 7465).
 *
 * @throws DevnetConfigError on a malformed value
 */
export function devnetOptionsFromFlags(flags: DevnetFlags): DevnetOptions {
  const int = (
    name: string,
    text: string | undefined,
    min: number,
    max = Number.MAX_SAFE_INTEGER,
  ): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (text.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
      throw new DevnetConfigError(`--${name} must be an integer ${range}`, { option: name, value: text });
    }
    return n;
  };
  const options: { -readonly [K in keyof DevnetOptions]: DevnetOptions[K] } = {
    port: int('port', flags.port, 0, MAX_PORT) ?? 7465,
  };
  const providers = int('providers', flags.providers, 0);
  const seed = flags.seed === undefined ? undefined : int('seed', flags.seed, Number.MIN_SAFE_INTEGER);
  const latency = int('latency', flags.latency, 0);
  const maxAgreements = int('max-agreements', flags.maxAgreements, 1);
  if (flags.host !== undefined) options.host = flags.host;
  if (providers !== undefined) options.providers = providers;
  if (seed !== undefined) options.seed = seed;
  if (flags.appKey !== undefined) {
    if (flags.appKey.trim() === '')
      throw new DevnetConfigError('--app-key must not be empty', { option: 'app-key' });
    options.appKey = flags.appKey;
  }
  if (latency !== undefined) options.latency = latency;
  if (flags.faults !== undefined) options.faults = flags.faults;
  if (flags.subnets !== undefined) options.subnets = parseSubnets(flags.subnets);
  if (maxAgreements !== undefined) options.maxAgreementsPerProvider = maxAgreements;
  const allowOrigin = flags.allowOrigin === undefined ? [] : parseAllowOrigin(flags.allowOrigin);
  if (allowOrigin.length > 0) options.allowOrigin = allowOrigin;
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
 * Runs `golem-rx devnet`: starts the devnet, prints its variables (see {@link serveDevnet}), and
 * resolves once it has stopped after SIGINT or SIGTERM.
 *
 * @param argv the arguments after `devnet`.
 * @param io where to print (default: the process's stdout), which process signals to honour and
 *   the environment `YAGNA_APPKEY` is read from (default: the process's).
 */
export async function runDevnetCommand(
  argv: string[],
  io: {
    print?: (line: string) => void;
    signals?: NodeJS.EventEmitter;
    env?: Readonly<Record<string, string | undefined>>;
  } = {},
): Promise<void> {
  const print = io.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const signals = io.signals ?? process;
  const options = parseDevnetArgs(argv, io.env ?? process.env);
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
 * The lines `golem-rx devnet` prints for a running devnet: `export NAME=value` for
 * `YAGNA_API_URL`, `YAGNA_APPKEY` and `GOLEM_REGISTRY_URL` (values quoted for a POSIX shell when
 * needed), the rest as `#` comments, so that a shell can source them.
 *
 * @param devnet the running devnet
 * @param allowOrigin the origins whose web pages may call it (named in a comment when any)
 * @returns the lines, without newlines
 */
export function devnetEnvLines(
  devnet: Pick<DevnetHandle, 'url' | 'appKey' | 'registryUrl' | 'providers'>,
  allowOrigin: DevnetOptions['allowOrigin'] = [],
): string[] {
  const origins = typeof allowOrigin === 'string' ? [allowOrigin] : allowOrigin;
  return [
    `# devnet listening on ${devnet.url} with ${devnet.providers.length} providers`,
    `export YAGNA_API_URL=${shellWord(devnet.url)}`,
    `export YAGNA_APPKEY=${shellWord(devnet.appKey)}`,
    `export GOLEM_REGISTRY_URL=${shellWord(devnet.registryUrl)}`,
    ...(origins.length === 0 ? [] : [`# web pages may call it from ${origins.join(', ')}`]),
    '# Press Ctrl+C to stop.',
  ];
}

/**
 * Starts a devnet, prints its variables ({@link devnetEnvLines}), and resolves once it has
 * stopped after `stop` aborted.
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
  for (const line of devnetEnvLines(devnet, options.allowOrigin)) print(line);
  if (!stop.aborted) {
    await new Promise<void>((resolve) => stop.addEventListener('abort', () => resolve(), { once: true }));
  }
  await devnet.stop();
  print('# devnet stopped');
}

/** The largest TCP port. */
const MAX_PORT = 65_535;

/** `YAGNA_APPKEY` from `env`, when set and not blank. */
function envAppKey(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const key = env.YAGNA_APPKEY;
  return key === undefined || key.trim() === '' ? undefined : key;
}

/** `value` as one POSIX shell word: as it is when it is plain, else single-quoted. */
function shellWord(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Registers `devnet` on the program, with the flags of {@link DEVNET_USAGE}; `--app-key` is the
 * global option, else `YAGNA_APPKEY` from the environment (the devnet then accepts that key).
 *
 * @param program the root command
 * @param ctx the injected world (Ctrl-C is `ctx.interrupt`)
 * @param state shared with `runCli`
 */
export function registerDevnetCommand(program: Command, ctx: CliContext, state: RunState): void {
  program
    .command('devnet')
    .description('start devnet, a local yagna twin with simulated providers, until Ctrl-C')
    .option('--port <n>', 'TCP port, 0-65535 (0 picks a free one)', '7465')
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
    .option(
      '--allow-origin <list>',
      "origins whose web pages may call it (CORS), comma-separated, or '*' (default: $YAGNA_API_ALLOW_ORIGIN)",
    )
    .addHelpText(
      'after',
      '\nThe app key clients must present is --app-key, else $YAGNA_APPKEY, else a random one.\n' +
        'Prints export lines for YAGNA_API_URL, YAGNA_APPKEY and GOLEM_REGISTRY_URL: eval or source them.',
    )
    .action(
      action<Omit<DevnetFlags, 'appKey'>>(ctx, state, async (rt, flags) => {
        const appKey = rt.globals.appKey ?? envAppKey(ctx.env);
        const allowOrigin = flags.allowOrigin ?? ctx.env.YAGNA_API_ALLOW_ORIGIN;
        const options = devnetOptionsFromFlags({ ...flags, appKey, allowOrigin });
        await serveDevnet(options, (line) => rt.out.line(line), rt.interrupt);
      }),
    );
}
