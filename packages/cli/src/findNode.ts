/**
 * `golem-rx find-node --runtime vm [--subnet public] [--timeout 30s] [--limit N]`: publishes a
 * temporary demand, streams the providers whose offers match it, then unsubscribes the demand
 * (also on Ctrl-C) and prints how many were found.
 * An adapter at the edge: the demand's expiration, the deadline and the once-a-second progress
 * line use real time (`Date.now()`, `setInterval`); the search timeout is `consume`'s.
 */
import type { Command } from 'commander';
import { distinct, filter, map, take, type MonoTypeOperatorFunction } from 'rxjs';
import type { DemandOfferBaseDto, MarketEventDto, ProposalEventDto } from 'golem-rx';
import { isYagnaGoneError } from 'golem-rx';
import { isYagnaNotFoundError } from 'golem-rx';
import { consumingQueueSource } from 'golem-rx';
import { CliUsageError } from './CliUsageError.js';
import type { CliContext } from './context.js';
import { describeCliError } from './errors.js';
import { formatDuration, parseDuration, parsePositiveInt, parseTag } from './parse.js';
import { action, type CommandRuntime, type RunState } from './runtime.js';
import type { CliSession } from './session.js';
import { CLI_POLL_RETRY, CLI_POLL_TIMEOUT_SEC, consume, type StreamEnd } from './streams.js';
import { PROVIDER_COLUMNS, providerRow, providerView, type ProviderView } from './views.js';

interface FindNodeOptions {
  runtime: string;
  subnet: string;
  timeout: number;
  limit?: number;
}

/** The default search time. */
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * The temporary demand: the runtime and subnet as constraints, an expiration beyond the search
 * (offers constrain it), nothing that could lead to an agreement (no payment platform).
 */
export function probeDemand(
  runtime: string,
  subnet: string,
  timeoutMs: number,
  now = Date.now(),
): DemandOfferBaseDto {
  return {
    properties: {
      'golem.srv.comp.expiration': now + timeoutMs + 15 * 60_000,
      'golem.node.debug.subnet': subnet,
    },
    constraints: `(&(golem.runtime.name=${runtime})(golem.node.debug.subnet=${subnet}))`,
  };
}

const isProposalEvent = (e: MarketEventDto): e is ProposalEventDto => e.eventType === 'ProposalEvent';

/** Unsubscribes the temporary demand and forgets it; failures are warnings (never throws). */
async function unsubscribe(
  rt: CommandRuntime,
  id: string,
  session: CliSession,
  recorded: boolean,
): Promise<void> {
  try {
    await rt.api().market.unsubscribeDemand(id, { signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    if (!isYagnaNotFoundError(err) && !isYagnaGoneError(err)) {
      rt.out.warn(
        `could not unsubscribe the temporary demand ${id} (clean it up with: golem-rx demand clear --mine): ${describeCliError(err, rt.errorSite()).message}`,
      );
      return;
    }
  }
  if (!recorded) return;
  try {
    await session.remove('demands', [id]);
  } catch (err) {
    rt.out.warn(describeCliError(err, rt.errorSite()).message);
  }
}

async function findNode(rt: CommandRuntime, options: FindNodeOptions): Promise<void> {
  const { out } = rt;
  const api = rt.api();
  const session = await rt.session();
  const demand = probeDemand(options.runtime, options.subnet, options.timeout);
  const id = await api.market.subscribeDemand(demand, { signal: rt.interrupt });
  let recorded = true;
  try {
    await session.add('demands', id);
  } catch (err) {
    recorded = false;
    out.warn(
      `the temporary demand ${id} is not recorded for --mine: ${describeCliError(err, rt.errorSite()).message}`,
    );
  }

  const source = consumingQueueSource<MarketEventDto>({
    name: `cli:offers:${id}`,
    fetchBatch: (signal) =>
      api.market.collectOffers(id, { timeout: CLI_POLL_TIMEOUT_SEC, maxEvents: 100 }, { signal }),
    ...CLI_POLL_RETRY,
  });
  const limit: MonoTypeOperatorFunction<ProviderView> =
    options.limit === undefined ? (s) => s : take(options.limit);
  const providers$ = source.events$.pipe(
    filter(isProposalEvent),
    map((e) => e.proposal),
    filter((p) => p.state === 'Initial'),
    distinct((p) => p.issuerId),
    map(providerView),
    limit,
  );

  const table = out.streamTable(PROVIDER_COLUMNS);
  if (!out.json) table.header();
  let found = 0;
  const deadline = Date.now() + options.timeout;
  const progress = out.progress('');
  const tick = (): void =>
    progress.update(
      `searching ${options.subnet} for ${options.runtime} providers… ${found} found, ${Math.max(0, Math.ceil((deadline - Date.now()) / 1000))} s left`,
    );
  tick();
  const ticker = setInterval(tick, 1000);
  ticker.unref();
  let end: StreamEnd;
  try {
    end = await consume(providers$, {
      interrupt: rt.interrupt,
      timeoutMs: options.timeout,
      each: (provider) => {
        found += 1;
        if (out.json) out.printJsonLine(provider);
        else table.row(providerRow(provider));
        tick();
      },
    });
  } finally {
    clearInterval(ticker);
    progress.done();
    await unsubscribe(rt, id, session, recorded);
  }
  const summary = `${found} provider(s) found${end === 'interrupted' ? ' (interrupted)' : ''}`;
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
    .description('publish a temporary demand and stream the providers that match it')
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
