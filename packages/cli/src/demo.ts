/**
 * `golem-rx demo` / `npm run demo`: the one-liner end to end, written only against the public API
 * (`../index.js`, `../devnet/index.js`): devnet (or `--yagna`), an allocation, a demand scored by
 * price, `negotiate(4)`, 3 agreements, a command on each, debit notes and invoices accepted,
 * everything closed, a summary. See docs/demo.md.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Decimal } from 'decimal.js';
import { createLogUpdate } from 'log-update';
import {
  concat,
  fromEvent,
  ignoreElements,
  lastValueFrom,
  merge,
  mergeMap,
  of,
  take,
  takeUntil,
  takeWhile,
  tap,
} from 'rxjs';
import {
  type Activity,
  type CloseReport,
  type NodePaymentEvent,
  type OperatorEvent,
  GolemNode,
  createActivity,
  createAgreement,
  leastExpensiveLinearPayu,
  negotiate,
  score,
  vmPackage,
} from 'golem-rx';
import { type DevnetHandle, startDevnet } from '@golem-rx/devnet';
import { DemoError, isDemoError } from './DemoError.js';
import type { Leftovers } from './leftovers.js';

export { DemoError, isDemoError } from './DemoError.js';

/** How many agreements the demo signs (and commands it runs, invoices it pays). */
export const DEMO_AGREEMENTS = 3;
const RENTED = Symbol('rentals done');

/** The usage text of `golem-rx demo`. */
export const DEMO_USAGE = `Usage: golem-rx demo [options]

Rents ${DEMO_AGREEMENTS} machines on an embedded devnet (or a real yagna), runs a command on each,
pays the debit notes and invoices, closes everything and prints a summary.

Options:
  --json             print the summary as one JSON line (the last line of stdout)
  --yagna            use the yagna at YAGNA_API_URL with YAGNA_APPKEY instead of a devnet
  --providers <n>    simulated providers of the devnet (default 20)
  --seed <n>         devnet seed (default 1)
  --timeout <s>      give up after this many seconds (default 120)
  -h, --help         show this help
`;

/** Where the demo writes and what it reads: `process` by default; the CLI passes its context. */
export interface DemoIo {
  /** The summary (and the JSON line). */
  readonly stdout?: { write(text: string): unknown };
  /** Progress and warnings. */
  readonly stderr?: { write(text: string): unknown };
  /** `YAGNA_APPKEY`, `YAGNA_API_URL` (with `--yagna`). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Whether stderr is a terminal (a live status line) or not (plain lines). */
  readonly isTTY?: { readonly stderr: boolean };
  /** Aborting it stops the demo; it still closes everything (and says so on stderr). */
  readonly interrupt?: AbortSignal;
  /**
   * Follows the demo's node, so that a forced exit (a third Ctrl-C during the cleanup) can list
   * what is still open and record it for `--mine` (with `--yagna`).
   */
  readonly leftovers?: Leftovers;
}

/** A resource `node.close()` could not close, as the demo reports it. */
export interface DemoLeftOpen {
  /** `Agreement`, `Activity`, `Allocation`, `Demand`. */
  readonly kind: string;
  readonly id: string;
  /** The step that failed (`terminate`, `destroy`, `release`, …). */
  readonly operation: string;
  /** Its last error's message. */
  readonly error: string;
}

/** What is left open after the close: devnet's stats, or the node's close report with `--yagna`. */
export type DemoLeaks = Readonly<Record<'agreements' | 'activities' | 'allocations' | 'demands', number>>;

/** The demo's outcome, printed at the end (as one JSON line with `--json`). */
export interface DemoSummary {
  readonly agreements: number;
  readonly commandsOk: number;
  readonly invoicesAccepted: number;
  /** The allocation's spent amount after the invoices were accepted, a decimal string (GLM). */
  readonly spent: string;
  readonly leaked: DemoLeaks;
  readonly debitNotesAccepted: number;
  readonly proposalsSeen: number;
  readonly target: 'devnet' | 'yagna';
  /** What `node.close()` could not close, with ids (its report). */
  readonly leftOpen: readonly DemoLeftOpen[];
  /**
   * Why the run is not a success, one sentence each (commands that failed, invoices not accepted,
   * anything left open); empty when it is. When not empty `runDemo` rejects with
   * `DemoError('failed')` after printing the summary.
   */
  readonly problems: readonly string[];
}

const FLAG = { type: 'boolean' } as const;
const VALUE = { type: 'string' } as const;
const HELP = { type: 'boolean', short: 'h' } as const;

/** Parses the demo's flags; `undefined` for `--help`. @throws {DemoError} on a bad flag */
export function parseDemoArgs(argv: readonly string[]) {
  let values;
  try {
    const options = { json: FLAG, yagna: FLAG, providers: VALUE, seed: VALUE, timeout: VALUE, help: HELP };
    ({ values } = parseArgs({ args: [...argv], strict: true, options }));
  } catch (cause) {
    throw new DemoError(messageOf(cause), { reason: 'usage' }, { cause });
  }
  if (values.help === true) return undefined;
  const int = (name: string, text: string | undefined, fallback: number, min: number): number => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min)
      throw new DemoError(`--${name} must be an integer >= ${min}`, { reason: 'usage' });
    return n;
  };
  return {
    json: values.json === true,
    yagna: values.yagna === true,
    providers: int('providers', values.providers, 20, DEMO_AGREEMENTS),
    seed: int('seed', values.seed, 1, 0),
    timeoutMs: int('timeout', values.timeout, 120, 1) * 1000,
  };
}

/** The live counters behind the status line. */
type Progress = Record<
  'proposals' | 'negotiating' | 'agreements' | 'commandsOk' | 'debitNotes' | 'invoices',
  number
> & {
  spent: Decimal;
};

/** Progress output: `note` a line that stays, `update` the status. */
interface View {
  note(line: string): void;
  update(): void;
  done(): void;
}

/** A status line that updates in place on a terminal, plain lines elsewhere. */
function progressView(io: DemoIo, state: Progress): View {
  const err = io.stderr ?? process.stderr;
  const tty = io.isTTY?.stderr ?? (err === process.stderr && process.stderr.isTTY);
  const status = (): string =>
    `proposals ${state.proposals} · negotiating ${state.negotiating} · agreements ${state.agreements}/${DEMO_AGREEMENTS}` +
    ` · commands ${state.commandsOk}/${DEMO_AGREEMENTS} · debit notes ${state.debitNotes}` +
    ` · invoices ${state.invoices}/${DEMO_AGREEMENTS} · spent ${state.spent.toFixed()} GLM`;
  if (tty && err === process.stderr) {
    const log = createLogUpdate(process.stderr, { showCursor: true });
    return { note: (line) => log.persist(line), update: () => log(status()), done: () => log.done() };
  }
  // plain lines: the status only when an agreement, a command or an invoice moved on
  let last = '';
  const key = (): string => `${state.agreements}/${state.commandsOk}/${state.invoices}`;
  return {
    note: (line) => err.write(`${line}\n`),
    update: () => {
      if (key() !== last) err.write(`${status()}\n`);
      last = key();
    },
    done: () => undefined,
  };
}

/** Short form of a node id for the progress lines. */
const short = (id: string): string => (id.length > 12 ? `${id.slice(0, 8)}…` : id);
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Runs the demo and prints its summary (a JSON line with `--json`).
 *
 * @param argv - the flags (see {@link DEMO_USAGE}).
 * @param io - streams, environment, interrupt; `process` by default.
 * @returns the summary, or `undefined` after `--help`.
 * @throws {DemoError} on bad flags, without an app key with `--yagna`, on timeout or interrupt;
 *   `failed` (after printing the summary) when a command failed, an invoice was not accepted or
 *   anything was left open, naming it; and whatever the node raises when yagna cannot be
 *   reached. Whenever the close left something open, its ids are also printed on stderr.
 * @example
 * ```ts
 * const summary = await runDemo(['--json']);
 * console.log(summary?.leaked);
 * ```
 */
export async function runDemo(argv: readonly string[], io: DemoIo = {}): Promise<DemoSummary | undefined> {
  const options = parseDemoArgs(argv);
  const out = io.stdout ?? process.stdout;
  if (options === undefined) {
    out.write(DEMO_USAGE);
    return undefined;
  }
  const env = io.env ?? process.env;
  if (options.yagna && !env.YAGNA_APPKEY)
    throw new DemoError('--yagna needs YAGNA_APPKEY', { reason: 'usage' });
  const started = performance.now();
  const devnet = options.yagna
    ? undefined
    : await startDevnet({ providers: options.providers, seed: options.seed });
  try {
    const zero = { proposals: 0, negotiating: 0, agreements: 0, commandsOk: 0, debitNotes: 0, invoices: 0 };
    const state: Progress = { ...zero, spent: new Decimal(0) };
    const view = progressView(io, state);
    const node = new GolemNode(
      devnet ? { apiUrl: devnet.url, appKey: devnet.appKey, env: {}, minPollIntervalMs: 100 } : { env },
    );
    io.leftovers?.watch(node, { record: devnet === undefined });
    const onInterrupt = (): void => view.note('interrupted: cleaning up (closing what the demo opened)…');
    io.interrupt?.addEventListener('abort', onInterrupt, { once: true });
    const closeNode = async (): Promise<CloseReport> => {
      const closed = await node.close();
      io.interrupt?.removeEventListener('abort', onInterrupt);
      view.done();
      tellLeftOpen(io, leftOpenOf(closed));
      return closed;
    };
    let report: CloseReport;
    let spent: Decimal;
    try {
      spent = await rent(node, devnet, env, options, state, view, io.interrupt);
    } catch (err) {
      report = await closeNode();
      // stopped early (timeout, Ctrl-C): everything is closed all the same; say what is left
      if (isDemoError(err) && err.reason !== 'usage') {
        const leftOpen = leftOpenOf(report);
        const left = leftOpen.length === 0 ? '' : `; left open: ${leftOpen.map(nameOf).join(', ')}`;
        throw new DemoError(
          `${err.message}${left}`,
          { reason: err.reason, leaked: leaks(devnet, report), leftOpen },
          { cause: err },
        );
      }
      throw err;
    }
    report = await closeNode();
    const leftOpen = leftOpenOf(report);
    const leaked = leaks(devnet, report);
    const problems = problemsOf(state, devnet, leaked, leftOpen, report);
    const summary: DemoSummary = {
      agreements: state.agreements,
      commandsOk: state.commandsOk,
      invoicesAccepted: state.invoices,
      spent: spent.toFixed(),
      leaked,
      debitNotesAccepted: state.debitNotes,
      proposalsSeen: state.proposals,
      target: devnet ? 'devnet' : 'yagna',
      leftOpen,
      problems,
    };
    out.write(
      options.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary, performance.now() - started),
    );
    if (problems.length > 0) {
      throw new DemoError(`the demo did not finish cleanly: ${problems.join('; ')}`, {
        reason: 'failed',
        leaked,
        leftOpen,
        problems,
      });
    }
    return summary;
  } finally {
    await devnet?.stop();
  }
}

/** The rental itself: from the allocation to the last invoice accepted. */
async function rent(
  node: GolemNode,
  devnet: DevnetHandle | undefined,
  env: Readonly<Record<string, string | undefined>>,
  options: NonNullable<ReturnType<typeof parseDemoArgs>>,
  state: Progress,
  view: View,
  interrupt: AbortSignal | undefined,
): Promise<Decimal> {
  const budget = devnet ? '5' : '1';
  await node.start();
  const allocation = await node.createAllocation({ amount: budget });
  view.note(`allocated ${budget} GLM on ${allocation.paymentPlatform}`);
  const registryUrl = devnet?.url ?? env.GOLEM_REGISTRY_URL;
  const payload = await vmPackage({ imageTag: 'golem/alpine:latest', registryUrl });
  const names = new Map<string, string>();
  const rented = new Set<string>();
  const nameOf = (providerId: string): string => names.get(providerId) ?? short(providerId);
  const onEvent = (event: OperatorEvent): void => {
    if (event.type === 'counterFailed') state.negotiating--;
    if (event.type === 'agreementFailed' || event.type === 'activityFailed') {
      view.note(`! ${event.type}: ${messageOf(event.error)}`);
    }
    view.update();
  };
  const countering = (): undefined => {
    state.negotiating++; // a counter-proposal starts (with the demand's own terms)
    view.update();
  };
  // hold offers until 10 are in (or 2 s), then counter the cheapest first
  const hold = { minProposals: Math.min(10, options.providers), maxWait: devnet ? 2_000 : 20_000 };
  // debit notes every second on devnet, so that some flow while the commands run
  const terms = devnet ? { debitNoteIntervalSec: 1, debitNoteAcceptTimeoutSec: 30 } : undefined;

  const rentals$ = node.demand$({ payload, allocations: [allocation], terms }).pipe(
    tap((offer) => {
      state.proposals++;
      const name = offer.properties['golem.node.id.name'];
      if (typeof name === 'string') names.set(offer.providerId, name);
      view.update();
    }),
    score(leastExpensiveLinearPayu(), hold),
    negotiate(4, { respond: countering, onEvent }),
    tap(() => state.negotiating--),
    createAgreement({ onEvent }),
    take(DEMO_AGREEMENTS), // right after createAgreement: exactly 3 agreements are signed
    tap({
      next: (agreement) => {
        rented.add(agreement.id);
        state.agreements++;
        view.note(`✓ agreement with ${nameOf(agreement.providerId)}`);
      },
      finalize: () => (state.negotiating = 0), // counters still in flight were aborted
    }),
    createActivity({ onEvent }),
    // an agreement that could not be terminated gets no invoice: stop waiting for one
    mergeMap((activity) =>
      runCommand(activity, nameOf(activity.agreement.providerId), state, view, (id) => rented.delete(id)),
    ),
  );
  // the node pays (from the demand's allocation) and settles at close; the demo only watches
  const payments$ = node.payments$.pipe(tap((event) => trackPayment(event, state, view, rented)));
  // the edge of the program: real time for the deadline (the library's timers stay on schedulers)
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const stop = interrupt ? AbortSignal.any([deadline, interrupt]) : deadline;
  // done when the commands have run and every rented agreement's invoice is accepted
  let rentalsDone = false;
  const work$ = merge(concat(rentals$.pipe(ignoreElements()), of(RENTED)), payments$).pipe(
    takeWhile((item) => {
      rentalsDone ||= item === RENTED;
      return !rentalsDone || state.invoices < rented.size;
    }),
    takeUntil(fromEvent(stop, 'abort')),
  );
  if (!stop.aborted) await lastValueFrom(work$, { defaultValue: undefined });
  if (deadline.aborted)
    throw new DemoError(`not done within ${options.timeoutMs / 1000} s`, { reason: 'timeout' });
  if (stop.aborted) throw new DemoError('interrupted', { reason: 'interrupted' });
  return (await allocation.getData({ force: true })).spentAmount;
}

/**
 * Runs the command on one activity, then destroys it and terminates its agreement. A failure of
 * either (after the library's retries) is noted and left to `node.close()`, which tries again
 * and reports what still fails; `unterminated` is told about an agreement that stays open.
 */
async function runCommand(
  activity: Activity,
  name: string,
  state: Progress,
  view: View,
  unterminated: (agreementId: string) => void,
): Promise<void> {
  try {
    const batch = await activity.exec([
      {
        run: {
          entry_point: '/bin/sh',
          args: ['-c', 'sleep 2 && echo hello from golem-rx'],
          capture: { stdout: { atEnd: { format: 'string' } }, stderr: { atEnd: { format: 'string' } } },
        },
      },
    ]);
    const result = await lastValueFrom(batch.results$);
    if (result.result === 'Ok') state.commandsOk++;
    view.note(`✓ ${name}: ${typeof result.stdout === 'string' ? result.stdout.trim() : ''}`);
  } catch (error) {
    view.note(`! ${name}: the command failed: ${messageOf(error)}`);
  } finally {
    try {
      await activity.destroy();
    } catch (error) {
      view.note(`! ${name}: could not destroy activity ${activity.id}: ${messageOf(error)}`);
    }
    const { agreement } = activity;
    try {
      await agreement.terminate('Finished');
    } catch (error) {
      unterminated(agreement.id);
      view.note(`! ${name}: could not terminate agreement ${agreement.id}: ${messageOf(error)}`);
    }
    view.update();
  }
}

function trackPayment(
  event: NodePaymentEvent,
  state: Progress,
  view: View,
  rented: ReadonlySet<string>,
): void {
  if (event.kind === 'accepted') {
    const { kind, agreementId, amount } = event.document;
    state.spent = event.spent;
    if (kind === 'DebitNote') state.debitNotes++;
    else if (rented.has(agreementId)) state.invoices++;
    if (kind === 'Invoice')
      view.note(`✓ invoice for ${short(agreementId)} accepted: ${amount.toFixed()} GLM`);
  } else {
    view.note(`! ${event.document.kind} ${short(event.document.id)} not accepted: ${event.kind}`);
  }
  view.update();
}

/**
 * What is left open after the close: on devnet from its stats (demands active, agreements not
 * final, activities not terminated, allocations not released), on yagna from the close report.
 */
function leaks(devnet: DevnetHandle | undefined, report: CloseReport): DemoLeaks {
  const failed = (kind: string): number => report.failures.filter((f) => f.resource.kind === kind).length;
  if (devnet === undefined) {
    return {
      agreements: failed('Agreement'),
      activities: failed('Activity'),
      allocations: failed('Allocation'),
      demands: failed('Demand'),
    };
  }
  const stats = devnet.stats() as Record<string, Record<string, number> | undefined>;
  const [a, act] = [stats.agreements ?? {}, stats.activities ?? {}];
  return {
    agreements: (a.Proposal ?? 0) + (a.Pending ?? 0) + (a.Approved ?? 0),
    activities: (act.total ?? 0) - (act.Terminated ?? 0),
    allocations: stats.allocations?.active ?? 0,
    demands: stats.demands?.active ?? 0,
  };
}

/** The close report's failures, with ids and messages. */
function leftOpenOf(report: CloseReport): DemoLeftOpen[] {
  return report.failures.map(({ resource, operation, error }) => ({
    kind: resource.kind,
    id: resource.id,
    operation,
    error: messageOf(error),
  }));
}

const nameOf = (left: DemoLeftOpen): string => `${left.kind.toLowerCase()} ${left.id}`;

/** Prints what the close left open on stderr, one line each, with its id and why. */
function tellLeftOpen(io: DemoIo, leftOpen: readonly DemoLeftOpen[]): void {
  const err = io.stderr ?? process.stderr;
  for (const left of leftOpen) {
    err.write(`! left open: ${nameOf(left)} (${left.operation} failed: ${left.error})\n`);
  }
}

/** Why the run is not a success (empty when it is). */
function problemsOf(
  state: Progress,
  devnet: DevnetHandle | undefined,
  leaked: DemoLeaks,
  leftOpen: readonly DemoLeftOpen[],
  report: CloseReport,
): string[] {
  const problems: string[] = [];
  if (state.agreements < DEMO_AGREEMENTS)
    problems.push(`${state.agreements} of ${DEMO_AGREEMENTS} agreements signed`);
  if (state.commandsOk < DEMO_AGREEMENTS)
    problems.push(`${state.commandsOk} of ${DEMO_AGREEMENTS} commands succeeded`);
  if (state.invoices < state.agreements)
    problems.push(`${state.invoices} of ${state.agreements} invoices accepted`);
  for (const left of leftOpen)
    problems.push(`${nameOf(left)} left open (${left.operation} failed: ${left.error})`);
  for (const { agreement, reason } of report.unsettled)
    problems.push(`agreement ${agreement.id} not settled (${reason})`);
  const stillOpen = Object.entries(leaked).filter(([, n]) => n > 0);
  if (devnet !== undefined && stillOpen.length > 0)
    problems.push(`devnet still holds ${stillOpen.map(([kind, n]) => `${kind} ${n}`).join(', ')}`);
  return problems;
}

function formatSummary(s: DemoSummary, ms: number): string {
  const leaks = Object.entries(s.leaked).map(([k, v]) => `${k} ${v}`);
  const none = Object.values(s.leaked).every((v) => v === 0);
  const rows: [string, string][] = [
    ['proposals seen', `${s.proposalsSeen}`],
    ['agreements', `${s.agreements}`],
    ['commands ok', `${s.commandsOk}`],
    ['debit notes', `${s.debitNotesAccepted} accepted`],
    ['invoices', `${s.invoicesAccepted} accepted`],
    ['spent', `${s.spent} GLM`],
    ['leaked', `${none ? 'nothing' : 'SOMETHING'} (${leaks.join(', ')})`],
  ];
  for (const left of s.leftOpen) rows.push(['left open', `${nameOf(left)} (${left.operation} failed)`]);
  for (const problem of s.problems) rows.push(['problem', problem]);
  const lines = rows.map(([k, v]) => `  ${k.padEnd(18)} ${v}`);
  return ['', `golem-rx demo on ${s.target}, ${(ms / 1000).toFixed(1)} s`, ...lines, ''].join('\n');
}
