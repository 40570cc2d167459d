/**
 * `golem-rx find-node --runtime vm [--subnet public] [--timeout 30s] [--limit N]`: streams the
 * providers whose offers run the runtime in the subnet, found with yagna's market scan
 * (`node.scan$`: no demand to publish or clean up), one row each, then prints how many were
 * found. The scan is ended before the command exits (also on Ctrl-C).
 */
import type { Command } from 'commander';
import { distinct, map, take, type MonoTypeOperatorFunction } from 'rxjs';
import { CliUsageError } from './CliUsageError.js';
import type { CliContext } from './context.js';
import { type OfferView, offerView, scanOffers, scanningNode, streamWithProgress } from './market.js';
import { formatDuration, parseDuration, parsePositiveInt, parseTag } from './parse.js';
import { action, type CommandRuntime, type RunState } from './runtime.js';
import type { StreamEnd } from './streams.js';
import { PROVIDER_COLUMNS, providerRow } from './views.js';

interface FindNodeOptions {
  runtime: string;
  subnet: string;
  timeout: number;
  limit?: number;
}

/** The default search time. */
const DEFAULT_TIMEOUT_MS = 30_000;

async function findNode(rt: CommandRuntime, options: FindNodeOptions): Promise<void> {
  const { out } = rt;
  const node = scanningNode(rt);
  const limit: MonoTypeOperatorFunction<OfferView> =
    options.limit === undefined ? (s) => s : take(options.limit);
  const providers$ = scanOffers(node, {
    payload: { constraints: `(golem.runtime.name=${options.runtime})` },
    subnet: options.subnet,
  }).pipe(
    distinct((offer) => offer.providerId),
    map(offerView),
    limit,
  );

  const table = out.streamTable(PROVIDER_COLUMNS);
  if (!out.json) table.header();
  let result: { found: number; end: StreamEnd };
  try {
    result = await streamWithProgress(rt, {
      what: `searching ${options.subnet} for ${options.runtime} providers`,
      items$: providers$,
      timeoutMs: options.timeout,
      each: (provider) => {
        if (out.json) out.printJsonLine(provider);
        else table.row(providerRow({ ...provider, proposalId: provider.offerId }));
      },
    });
  } finally {
    await node.close(); // ends the scan
  }
  const summary = `${result.found} provider(s) found${result.end === 'interrupted' ? ' (interrupted)' : ''}`;
  if (out.json) out.note(summary);
  else out.line(summary);
}

/** `$YAGNA_SUBNET`, checked like `--subnet`. */
function envSubnet(ctx: CliContext): string | undefined {
  const value = ctx.env.YAGNA_SUBNET;
  if (value === undefined || value.trim() === '') return undefined;
  try {
    return parseTag(value);
  } catch (err) {
    throw new CliUsageError(`invalid YAGNA_SUBNET: ${err instanceof Error ? err.message : String(err)}`, {
      argument: 'YAGNA_SUBNET',
    });
  }
}

/**
 * Registers `find-node` on the program.
 * @param program the root command
 * @param ctx the injected world
 * @param state shared with `runCli`
 */
export function registerFindNodeCommand(program: Command, ctx: CliContext, state: RunState): void {
  program
    .command('find-node')
    .description('stream the providers whose offers run a runtime (yagna market scan, no demand)')
    .requiredOption('--runtime <name>', 'the runtime to look for, e.g. vm', parseTag)
    .option('--subnet <tag>', 'the subnet to search (default: $YAGNA_SUBNET, else public)', parseTag)
    .option(
      '--timeout <duration>',
      `how long to search, e.g. 30s, 5m (default: ${formatDuration(DEFAULT_TIMEOUT_MS)})`,
      parseDuration,
    )
    .option('--limit <n>', 'stop after this many providers', parsePositiveInt)
    .action(
      action<Partial<FindNodeOptions> & { runtime: string }>(ctx, state, async (rt, options) => {
        const subnet = options.subnet ?? envSubnet(ctx) ?? 'public';
        await findNode(rt, { ...options, subnet, timeout: options.timeout ?? DEFAULT_TIMEOUT_MS });
      }),
    );
}
