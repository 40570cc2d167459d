/**
 * `golem-rx demand list | clear`: the demands (market subscriptions) of this app key.
 * An adapter at the edge: "expired" is judged against the wall clock (`new Date()`).
 */
import type { Command } from 'commander';
import type { DemandDto } from 'golem-rx';
import { forgetReleased, releaseEach, reportBulk, type BulkWords } from './bulk.js';
import { confirmWide } from './confirm.js';
import type { CliContext } from './context.js';
import { action, type CommandRuntime, type RunState } from './runtime.js';
import { DEMAND_COLUMNS, demandExpiry, demandRow } from './views.js';

interface DemandOptions {
  onlyExpired?: boolean;
  mine?: boolean;
  yes?: boolean;
}

const WORDS: BulkWords = {
  noun: 'demand',
  doing: 'unsubscribing',
  done: 'unsubscribed',
  verb: 'unsubscribe',
};

/**
 * Is the demand expired: has the expiry it announces (`golem.srv.comp.expiration`) passed?
 * A demand that announces none never counts as expired.
 */
export function isExpired(demand: DemandDto, now: Date): boolean {
  const expiry = demandExpiry(demand);
  return expiry !== undefined && expiry.getTime() <= now.getTime();
}

/** The demands, filtered by `--only-expired` and `--mine` (forgetting the gone ones). */
async function demands(rt: CommandRuntime, options: DemandOptions): Promise<DemandDto[]> {
  const all = await rt.api().market.getDemands({ signal: rt.interrupt });
  let selected = all;
  if (options.mine === true) {
    const session = await rt.session();
    await session.prune(
      'demands',
      all.map((d) => d.demandId),
    );
    const ids = session.ids('demands');
    selected = selected.filter((d) => ids.has(d.demandId));
  }
  if (options.onlyExpired === true) {
    const now = new Date();
    selected = selected.filter((d) => isExpired(d, now));
  }
  return selected;
}

/** Prints demands as a table (or JSON). */
export function printDemands(rt: CommandRuntime, list: readonly DemandDto[]): void {
  if (rt.out.json) rt.out.printJson(list);
  else if (list.length === 0) rt.out.line('no demands');
  else rt.out.table(DEMAND_COLUMNS, list.map(demandRow));
}

async function list(rt: CommandRuntime, options: DemandOptions): Promise<void> {
  printDemands(rt, await demands(rt, options));
}

async function clear(rt: CommandRuntime, options: DemandOptions): Promise<void> {
  const targets = await demands(rt, options);
  if (targets.length === 0) {
    reportBulk(rt, { done: [], gone: [], failed: [], skipped: [] }, WORDS);
    return;
  }
  if (options.mine !== true) {
    const which = options.onlyExpired === true ? 'expired ' : '';
    await confirmWide(rt, {
      yes: options.yes === true,
      question: `Unsubscribe all ${targets.length} ${which}demand(s) of this app key, not only the ones golem-rx created?`,
      action: `unsubscribe all ${targets.length} ${which}demand(s) of this app key`,
    });
  }
  const api = rt.api();
  const result = await releaseEach(
    rt,
    targets.map((d) => d.demandId),
    WORDS,
    (id) => api.market.unsubscribeDemand(id),
  );
  await forgetReleased(rt, 'demands', result);
  reportBulk(rt, result, WORDS);
}

/**
 * Registers `demand list | clear` on the program.
 * @param program the root command
 * @param ctx the injected world
 * @param state shared with `runCli`
 */
export function registerDemandCommands(program: Command, ctx: CliContext, state: RunState): void {
  const group = program.command('demand').description('demands on the market: list, unsubscribe');
  group
    .command('list')
    .description('list the active demands')
    .option(
      '--only-expired',
      'only demands whose announced expiration (golem.srv.comp.expiration) has passed',
    )
    .option('--mine', 'only the demands golem-rx created')
    .action(action(ctx, state, list));
  group
    .command('clear')
    .description("unsubscribe demands: all of this app key (asks first), or only golem-rx's with --mine")
    .option('--only-expired', 'only demands whose announced expiration has passed')
    .option('--mine', 'only the demands golem-rx created; no confirmation needed')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(action(ctx, state, clear));
}
