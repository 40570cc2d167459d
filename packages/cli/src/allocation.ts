/**
 * `golem-rx allocation list | new <amount> | clean`: payment allocations.
 * An adapter at the edge: `--expires` counts from the wall clock (`Date.now()`).
 */
import type { Command } from 'commander';
import { Decimal } from 'decimal.js';
import type { AllocationData } from 'golem-rx';
import type { PaymentPlatformDto } from 'golem-rx';
import { forgetReleased, releaseEach, reportBulk, type BulkWords } from './bulk.js';
import { confirmWide } from './confirm.js';
import type { CliContext } from './context.js';
import { describeCliError, EXIT } from './errors.js';
import { parseAmount, parseExpiry, parseTag } from './parse.js';
import { action, type CommandRuntime, type RunState } from './runtime.js';
import { ALLOCATION_COLUMNS, allocationRow, formatAmount, splitPlatform } from './views.js';

interface ListOptions {
  mine?: boolean;
}
interface NewOptions {
  network?: string;
  driver?: string;
  expires?: number;
}
interface CleanOptions {
  mine?: boolean;
  yes?: boolean;
}

const WORDS: BulkWords = { noun: 'allocation', doing: 'releasing', done: 'released', verb: 'release' };

/** The active allocations, or only those of this CLI's session with `mine` (forgetting the gone ones). */
async function allocations(rt: CommandRuntime, mine: boolean): Promise<AllocationData[]> {
  const all = await rt.api().payment.getAllocations({}, { signal: rt.interrupt });
  if (!mine) return all;
  const session = await rt.session();
  await session.prune(
    'allocations',
    all.map((a) => a.allocationId),
  );
  const ids = session.ids('allocations');
  return all.filter((a) => ids.has(a.allocationId));
}

/** Prints allocations as a table (or JSON). */
export function printAllocations(rt: CommandRuntime, list: readonly AllocationData[]): void {
  if (rt.out.json) rt.out.printJson(list);
  else if (list.length === 0) rt.out.line('no allocations');
  else rt.out.table(ALLOCATION_COLUMNS, list.map(allocationRow));
}

async function list(rt: CommandRuntime, options: ListOptions): Promise<void> {
  printAllocations(rt, await allocations(rt, options.mine === true));
}

async function create(rt: CommandRuntime, options: NewOptions, args: readonly unknown[]): Promise<number> {
  const amount = args[0] as Decimal;
  const session = await rt.session();
  const paymentPlatform: PaymentPlatformDto | undefined =
    options.network === undefined && options.driver === undefined
      ? undefined
      : { driver: options.driver, network: options.network };
  const allocation = await rt.api().payment.createAllocation(
    {
      totalAmount: amount,
      paymentPlatform,
      timeout: options.expires === undefined ? undefined : new Date(Date.now() + options.expires),
    },
    { signal: rt.interrupt },
  );
  const { network, driver } = splitPlatform(allocation.paymentPlatform);
  printAllocations(rt, [allocation]);
  let code: number = EXIT.ok;
  if (
    (options.network !== undefined && options.network !== network) ||
    (options.driver !== undefined && options.driver !== driver)
  ) {
    rt.out.warn(
      `yagna chose platform ${allocation.paymentPlatform}, not the requested ${options.driver ?? '*'}/${options.network ?? '*'}`,
    );
    code = EXIT.failure;
  }
  try {
    await session.add('allocations', allocation.allocationId);
  } catch (err) {
    rt.out.warn(
      `allocation ${allocation.allocationId} was created but not recorded for --mine: ${describeCliError(err, rt.errorSite()).message}`,
    );
    code = EXIT.failure;
  }
  return code;
}

async function clean(rt: CommandRuntime, options: CleanOptions): Promise<void> {
  const mine = options.mine === true;
  const targets = await allocations(rt, mine);
  if (targets.length === 0) {
    reportBulk(rt, { done: [], gone: [], failed: [], skipped: [] }, WORDS);
    return;
  }
  if (!mine) {
    const reserved = targets.reduce((sum, a) => sum.plus(a.remainingAmount), new Decimal(0));
    await confirmWide(rt, {
      yes: options.yes === true,
      question: `Release all ${targets.length} allocation(s) of this app key (${formatAmount(reserved)} GLM remaining), not only the ones golem-rx created?`,
      action: `release all ${targets.length} allocation(s) of this app key`,
    });
  }
  const api = rt.api();
  const result = await releaseEach(
    rt,
    targets.map((a) => a.allocationId),
    WORDS,
    (id) => api.payment.releaseAllocation(id),
  );
  await forgetReleased(rt, 'allocations', result);
  reportBulk(rt, result, WORDS);
}

/**
 * Registers `allocation list | new | clean` on the program.
 * @param program the root command
 * @param ctx the injected world
 * @param state shared with `runCli`
 */
export function registerAllocationCommands(program: Command, ctx: CliContext, state: RunState): void {
  const group = program.command('allocation').description('payment allocations: list, create, release');
  group
    .command('list')
    .description('list the active allocations')
    .option('--mine', 'only the allocations golem-rx created (see "this CLI\'s session" in docs/cli.md)')
    .action(action(ctx, state, list));
  group
    .command('new')
    .description('reserve funds in a new allocation')
    .argument('<amount>', 'GLM to reserve, e.g. 5 or 0.25 (at most 18 decimals)', parseAmount)
    .option('--network <name>', "payment network, e.g. holesky, hoodi, polygon (default: yagna's)", parseTag)
    .option('--driver <name>', "payment driver, e.g. erc20 (default: yagna's)", parseTag)
    .option(
      '--expires <duration>',
      'yagna releases it after this long, e.g. 30m or 1h, at most 87600h (default: never)',
      parseExpiry,
    )
    .action(action(ctx, state, create));
  group
    .command('clean')
    .alias('clear')
    .description("release allocations: all of this app key (asks first), or only golem-rx's with --mine")
    .option('--mine', 'only the allocations golem-rx created; no confirmation needed')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(action(ctx, state, clean));
}
