/**
 * `golem-rx status`: what is open on this app key — allocations, demands, agreements, invoices
 * waiting for a decision.
 */
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { displayUrl } from './errors.js';
import { action, type CommandRuntime, type RunState } from './runtime.js';
import { ALLOCATION_COLUMNS, DEMAND_COLUMNS, allocationRow, demandRow } from './views.js';

async function status(rt: CommandRuntime): Promise<void> {
  const { out } = rt;
  const api = rt.api();
  const signal = rt.interrupt;
  const progress = out.progress('asking yagna…');
  let snapshot;
  try {
    const me = await rt.identity();
    const [allocations, demands, agreements, approved, invoices] = await Promise.all([
      api.payment.getAllocations({}, { signal }),
      api.market.getDemands({ signal }),
      api.market.listAgreements({}, { signal }),
      api.market.listAgreements({ state: 'Approved' }, { signal }),
      api.payment.getInvoices({}, { signal }),
    ]);
    snapshot = {
      yagna: { url: displayUrl(api.config.apiUrl), identity: me.identity, name: me.name },
      allocations,
      demands,
      agreements: { total: agreements.length, approved: approved.length },
      pendingInvoices: invoices.filter((i) => i.status === 'RECEIVED').length,
    };
  } finally {
    progress.done();
  }
  if (out.json) {
    out.printJson(snapshot);
    return;
  }
  const { yagna, allocations, demands, agreements, pendingInvoices } = snapshot;
  out.line(`yagna ${yagna.url} as ${yagna.identity} (${yagna.name})`);
  out.line();
  out.heading(`Allocations (${allocations.length})`);
  if (allocations.length > 0) out.table(ALLOCATION_COLUMNS, allocations.map(allocationRow));
  out.line();
  out.heading(`Demands (${demands.length})`);
  if (demands.length > 0) out.table(DEMAND_COLUMNS, demands.map(demandRow));
  out.line();
  out.line(`Agreements: ${agreements.total} (${agreements.approved} approved)`);
  out.line(`Pending invoices: ${pendingInvoices}`);
}

/**
 * Registers `status` on the program.
 * @param program the root command
 * @param ctx the injected world
 * @param state shared with `runCli`
 */
export function registerStatusCommand(program: Command, ctx: CliContext, state: RunState): void {
  program
    .command('status')
    .description('allocations, demands, agreements and pending invoices of this app key')
    .action(action(ctx, state, status));
}
