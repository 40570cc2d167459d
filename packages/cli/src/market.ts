/**
 * `golem-rx market scan [--constraints <expr>] [--timeout <duration>]`: the offers on the market,
 * found with yagna's market scan (`node.scan$`, no demand), one row (or, with `--json`, one
 * object) a line, until the timeout or Ctrl-C; then how many. The scan is ended before the
 * command exits. Also the pieces `find-node` shares: the node a command scans with, the offer view.
 * An adapter at the edge: the deadline and the once-a-second progress line use real time.
 */
import type { Command } from 'commander';
import { type Observable, filter, merge, mergeMap, throwError } from 'rxjs';
import { GolemNode, SourceHealthChanged, type OfferDto, type ScanOptions } from 'golem-rx';
import { formatDuration, parseDuration } from './parse.js';
import { action, type CommandRuntime, type RunState } from './runtime.js';
import type { CliContext } from './context.js';
import { CLI_POLL_RETRY, CLI_POLL_TIMEOUT_SEC, consume, type StreamEnd } from './streams.js';
import type { StreamColumn } from './output.js';
import { providerRow, providerView, type ProviderView } from './views.js';

/** An offer as `market scan` shows it (and prints it with `--json`): its id and its provider's view. */
export interface OfferView extends Omit<ProviderView, 'proposalId'> {
  readonly offerId: string;
}

/** Reads an offer. */
export function offerView(offer: OfferDto): OfferView {
  const { proposalId: offerId, ...view } = providerView({
    ...offer,
    proposalId: offer.offerId,
    issuerId: offer.providerId,
    state: 'Initial',
  });
  return { offerId, ...view };
}

/** Columns of the `market scan` stream: the provider's columns, with the runtime. */
export const OFFER_COLUMNS: readonly StreamColumn[] = [
  { header: 'PROVIDER', width: 42 },
  { header: 'NAME', width: 20 },
  { header: 'RUNTIME', width: 8 },
  { header: 'ARCH', width: 7 },
  { header: 'CORES', width: 5, align: 'right' },
  { header: 'THREADS', width: 7, align: 'right' },
  { header: 'MEM GiB', width: 7, align: 'right' },
  { header: 'DISK GiB', width: 8, align: 'right' },
  { header: 'START', width: 9, align: 'right' },
  { header: 'CPU/H', width: 9, align: 'right' },
  { header: 'ENV/H', width: 9, align: 'right' },
];

/** The cells of an offer. */
export function offerRow(v: OfferView): string[] {
  const [provider = '', name = '', ...rest] = providerRow({ ...v, proposalId: v.offerId });
  return [provider, name, v.runtime, ...rest];
}

/**
 * The node a command scans the market with: the command's client, long-polls as the CLI's, no
 * payer (nothing to pay). Close it (`await node.close()`): that ends its scans.
 */
export function scanningNode(rt: CommandRuntime): GolemNode {
  const api = rt.api();
  return new GolemNode({
    api,
    apiUrl: api.config.apiUrl,
    env: rt.ctx.env,
    pollTimeoutSec: CLI_POLL_TIMEOUT_SEC,
    backoff: CLI_POLL_RETRY.backoff,
    payments: false,
  });
}

/**
 * `node.scan$(options)`, failing as the CLI's polls do: after `CLI_POLL_RETRY.maxRetries`
 * retries of a scan poll that cannot reach yagna (the node would retry for ever).
 */
export function scanOffers(node: GolemNode, options: ScanOptions): Observable<OfferDto> {
  const unreachable$ = node.events.events$.pipe(
    filter(
      (e): e is SourceHealthChanged =>
        e instanceof SourceHealthChanged &&
        e.source.startsWith('scan:') &&
        e.health.kind === 'unreachable' &&
        e.health.attempt > CLI_POLL_RETRY.maxRetries,
    ),
    mergeMap((e) => throwError(() => (e.health.kind === 'unreachable' ? e.health.error : e))),
  );
  return merge(node.scan$(options), unreachable$);
}

/** How a scan command streams: what it prints for each item, and its progress line. */
export interface ScanRun<T> {
  /** What is searched, for the progress line ("scanning the market", "searching public for vm providers"). */
  readonly what: string;
  /** The stream (a node's scan). */
  readonly items$: Observable<T>;
  /** Stops after this long. */
  readonly timeoutMs: number;
  /** Prints one item (a table row, or a JSON line). */
  readonly each: (item: T) => void;
}

/**
 * Streams `run.items$` until it ends, the timeout or Ctrl-C, with a once-a-second progress line
 * on a terminal's stderr. Resolves with how many items came and why it stopped.
 */
export async function streamWithProgress<T>(
  rt: CommandRuntime,
  run: ScanRun<T>,
): Promise<{ found: number; end: StreamEnd }> {
  let found = 0;
  const deadline = Date.now() + run.timeoutMs;
  const progress = rt.out.progress('');
  const tick = (): void =>
    progress.update(
      `${run.what}… ${found} found, ${Math.max(0, Math.ceil((deadline - Date.now()) / 1000))} s left`,
    );
  tick();
  const ticker = setInterval(tick, 1000);
  ticker.unref();
  try {
    const end = await consume(run.items$, {
      interrupt: rt.interrupt,
      timeoutMs: run.timeoutMs,
      each: (item) => {
        found += 1;
        run.each(item);
        tick();
      },
    });
    return { found, end };
  } finally {
    clearInterval(ticker);
    progress.done();
  }
}

/** The default scan time. */
const DEFAULT_TIMEOUT_MS = 30_000;

interface MarketScanOptions {
  constraints?: string;
  timeout?: number;
}

async function marketScan(rt: CommandRuntime, options: MarketScanOptions): Promise<void> {
  const { out } = rt;
  const node = scanningNode(rt);
  const table = out.streamTable(OFFER_COLUMNS);
  if (!out.json) table.header();
  let result: { found: number; end: StreamEnd };
  try {
    const constraints = options.constraints?.trim();
    result = await streamWithProgress(rt, {
      what: 'scanning the market',
      items$: scanOffers(node, { constraints: constraints === undefined ? [] : constraints }),
      timeoutMs: options.timeout ?? DEFAULT_TIMEOUT_MS,
      each: (offer) => {
        const view = offerView(offer);
        if (out.json) out.printJsonLine(view);
        else table.row(offerRow(view));
      },
    });
  } finally {
    await node.close(); // ends the scan
  }
  const summary = `${result.found} offer(s) found${result.end === 'interrupted' ? ' (interrupted)' : ''}`;
  if (out.json) out.note(summary);
  else out.line(summary);
}

/**
 * Registers `market scan` on the program.
 * @param program the root command
 * @param ctx the injected world
 * @param state shared with `runCli`
 */
export function registerMarketCommands(program: Command, ctx: CliContext, state: RunState): void {
  const group = program.command('market').description('the offers on the market');
  group
    .command('scan')
    .description('list the offers on the market (yagna market scan, no demand) until the timeout or Ctrl-C')
    .option(
      '--constraints <expr>',
      "only offers whose properties satisfy this constraint expression, e.g. '(golem.runtime.name=vm)'",
    )
    .option(
      '--timeout <duration>',
      `how long to scan, e.g. 30s, 5m (default: ${formatDuration(DEFAULT_TIMEOUT_MS)})`,
      parseDuration,
    )
    .action(action<MarketScanOptions>(ctx, state, marketScan));
}
