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
import { DevnetConfigError } from '../devnet/errors/DevnetConfigError.js';
import { startDevnet } from '../devnet/startDevnet.js';
import type { DevnetHandle, DevnetOptions } from '../devnet/options.js';

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
  const int = (name: string, text: string | undefined, min: number): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) {
      throw new DevnetConfigError(`--${name} must be an integer >= ${min}`, { option: name, value: text });
    }
    return n;
  };
  const options: { -readonly [K in keyof DevnetOptions]: DevnetOptions[K] } = {
    port: int('port', values.port, 0) ?? 7465,
  };
  const providers = int('providers', values.providers, 0);
  const seed = values.seed === undefined ? undefined : int('seed', values.seed, Number.MIN_SAFE_INTEGER);
  const latency = int('latency', values.latency, 0);
  const maxAgreements = int('max-agreements', values['max-agreements'], 1);
  if (values.host !== undefined) options.host = values.host;
  if (providers !== undefined) options.providers = providers;
  if (seed !== undefined) options.seed = seed;
  if (values['app-key'] !== undefined) options.appKey = values['app-key'];
  if (latency !== undefined) options.latency = latency;
  if (values.faults !== undefined) options.faults = values.faults;
  if (values.subnets !== undefined) options.subnets = parseSubnets(values.subnets);
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
  const devnet: DevnetHandle = await startDevnet(options);
  print(`devnet listening on ${devnet.url} with ${devnet.providers.length} providers`);
  print(`YAGNA_API_URL=${devnet.url}`);
  print(`YAGNA_APPKEY=${devnet.appKey}`);
  print('Press Ctrl+C to stop.');
  await new Promise<void>((resolve, reject) => {
    const onSignal = (): void => {
      signals.off('SIGINT', onSignal);
      signals.off('SIGTERM', onSignal);
      devnet.stop().then(() => {
        print('devnet stopped');
        resolve();
      }, reject);
    };
    signals.on('SIGINT', onSignal);
    signals.on('SIGTERM', onSignal);
  });
}
