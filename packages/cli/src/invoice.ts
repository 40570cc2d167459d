/**
 * `golem-rx invoice list | accept | incoming`: the invoices providers sent to this app key.
 */
import type { Command } from 'commander';
import { EMPTY, catchError, concatMap, map } from 'rxjs';
import type { InvoiceData, InvoiceEventData } from 'golem-rx';
import type { DocumentStatus } from 'golem-rx';
import { fromCall, persistentLogSource } from 'golem-rx';
import { CliCommandError } from './CliCommandError.js';
import type { CliContext } from './context.js';
import { describeCliError } from './errors.js';
import type { StreamColumn } from './output.js';
import { parseDocumentStatus } from './parse.js';
import { action, type CommandRuntime, type RunState } from './runtime.js';
import { CLI_POLL_RETRY, CLI_POLL_TIMEOUT_SEC, consume } from './streams.js';
import { INVOICE_COLUMNS, formatAmount, formatTime, invoiceRow } from './views.js';

interface ListOptions {
  status?: DocumentStatus;
}

/** Statuses of an invoice that was already decided on. */
const DONE: ReadonlySet<DocumentStatus> = new Set(['ACCEPTED', 'SETTLED']);
const FINAL: ReadonlySet<DocumentStatus> = new Set(['REJECTED', 'CANCELLED', 'FAILED']);

async function list(rt: CommandRuntime, options: ListOptions): Promise<void> {
  const all = await rt.api().payment.getInvoices({}, { signal: rt.interrupt });
  const invoices = options.status === undefined ? all : all.filter((i) => i.status === options.status);
  if (rt.out.json) rt.out.printJson(invoices);
  else if (invoices.length === 0)
    rt.out.line(options.status === undefined ? 'no invoices' : `no ${options.status} invoices`);
  else rt.out.table(INVOICE_COLUMNS, invoices.map(invoiceRow));
}

async function accept(rt: CommandRuntime, _options: object, args: readonly unknown[]): Promise<void> {
  const [allocationId, invoiceId] = args as [string, string];
  const api = rt.api();
  const signal = rt.interrupt;
  const invoice = await api.payment.getInvoice(invoiceId, { signal });
  const allocation = await api.payment.getAllocation(allocationId, { signal });
  const result = { invoiceId, allocationId, amount: invoice.amount, status: invoice.status };
  if (DONE.has(invoice.status)) {
    if (rt.out.json) rt.out.printJson(result);
    else rt.out.line(`invoice ${invoiceId} is already ${invoice.status.toLowerCase()}`);
    return;
  }
  if (FINAL.has(invoice.status)) {
    throw new CliCommandError(
      `invoice ${invoiceId} is ${invoice.status.toLowerCase()} and cannot be accepted`,
      {
        ids: [invoiceId],
      },
    );
  }
  if (allocation.paymentPlatform !== invoice.paymentPlatform) {
    throw new CliCommandError(
      `invoice ${invoiceId} is payable on ${invoice.paymentPlatform}, allocation ${allocationId} is on ${allocation.paymentPlatform}`,
      { ids: [invoiceId, allocationId] },
    );
  }
  await api.payment.acceptInvoice(
    invoiceId,
    { totalAmountAccepted: invoice.amount, allocationId },
    {},
    { signal },
  );
  if (rt.out.json) rt.out.printJson({ ...result, status: 'ACCEPTED' });
  else
    rt.out.line(
      `accepted invoice ${invoiceId}: ${formatAmount(invoice.amount)} GLM from allocation ${allocationId}`,
    );
}

const INCOMING_COLUMNS: readonly StreamColumn[] = [
  { header: 'TIME', width: 20 },
  { header: 'EVENT', width: 9 },
  { header: 'ID', width: 36 },
  { header: 'AMOUNT', width: 10, align: 'right' },
  { header: 'STATUS', width: 9 },
  { header: 'ISSUER', width: 42 },
  { header: 'AGREEMENT', width: 64 },
];

/** `InvoiceReceivedEvent` → `received`. */
function eventWord(eventType: string): string {
  return eventType
    .replace(/^Invoice/, '')
    .replace(/Event$/, '')
    .toLowerCase();
}

async function incoming(rt: CommandRuntime): Promise<void> {
  const api = rt.api();
  const { out } = rt;
  await rt.identity(); // fail fast on a wrong app key or an unreachable yagna
  const source = persistentLogSource<InvoiceEventData>({
    name: 'cli:invoiceEvents',
    initialCursor: 'now',
    fetchBatch: (afterTimestamp, signal) =>
      api.payment.getInvoiceEvents(
        { afterTimestamp, timeout: CLI_POLL_TIMEOUT_SEC, maxEvents: 100 },
        { signal },
      ),
    ...CLI_POLL_RETRY,
  });
  const withInvoice$ = source.events$.pipe(
    concatMap((event) =>
      fromCall((signal) => api.payment.getInvoice(event.invoiceId, { signal })).pipe(
        map((invoice) => ({ event, invoice })),
        catchError((err: unknown) => {
          out.warn(`invoice ${event.invoiceId}: ${describeCliError(err, rt.errorSite()).message}`);
          return EMPTY;
        }),
      ),
    ),
  );
  const table = out.streamTable(INCOMING_COLUMNS);
  const progress = out.progress('waiting for invoices… (Ctrl-C to stop)');
  let received = 0;
  try {
    const done = consume(withInvoice$, {
      interrupt: rt.interrupt,
      each: ({ event, invoice }: { event: InvoiceEventData; invoice: InvoiceData }) => {
        if (event.eventType === 'InvoiceReceivedEvent') received += 1;
        if (out.json) {
          out.printJsonLine({ eventType: event.eventType, eventDate: event.eventDate, invoice });
          return;
        }
        table.row([
          formatTime(event.eventDate),
          eventWord(event.eventType),
          invoice.invoiceId,
          formatAmount(invoice.amount),
          invoice.status,
          invoice.issuerId,
          invoice.agreementId,
        ]);
      },
    });
    // consume() has subscribed: from here on, every new invoice is shown
    if (!out.json) table.header();
    await done;
  } finally {
    progress.done();
  }
  out.note(`${received} new invoice(s) received`);
}

/**
 * Registers `invoice list | accept | incoming` on the program.
 * @param program the root command
 * @param ctx the injected world
 * @param state shared with `runCli`
 */
export function registerInvoiceCommands(program: Command, ctx: CliContext, state: RunState): void {
  const group = program.command('invoice').description('invoices from providers: list, accept, watch');
  group
    .command('list')
    .description('list the invoices received')
    .option(
      '--status <status>',
      'only invoices in this status (RECEIVED, ACCEPTED, SETTLED, …)',
      parseDocumentStatus,
    )
    .action(action(ctx, state, list));
  group
    .command('accept')
    .description('accept an invoice (its full amount), paying it from an allocation')
    .argument('<allocation-id>', 'the allocation to pay from (see: golem-rx allocation list)')
    .argument('<invoice-id>', 'the invoice (see: golem-rx invoice list --status received)')
    .action(action(ctx, state, accept));
  group
    .command('incoming')
    .description('stream invoices as they arrive, until Ctrl-C')
    .action(action(ctx, state, incoming));
}
