import { Decimal } from 'decimal.js';
import {
  BehaviorSubject,
  EMPTY,
  type Observable,
  ReplaySubject,
  Subject,
  Subscription,
  catchError,
  concat,
  concatMap,
  defer,
  filter,
  ignoreElements,
  map,
  merge,
  of,
  race,
  take,
  takeWhile,
  timer,
} from 'rxjs';
import type { ExeScriptCommandDto, ReasonDto, RuntimeEventDto } from '../api/types/index.js';
import type { NetworkNode } from '../network/index.js';
import type { TransferStorage } from '../ports/index.js';
import {
  type Action,
  type Activity,
  type Agreement,
  type Allocation,
  type Batch,
  type CommandOutput,
  action,
} from '../resources/index.js';
import { RentalStoppedError } from './errors/RentalStoppedError.js';
import type {
  OutputChunk,
  RentalEvent,
  RentalInvoiceOutcome,
  RentalState,
  RentalStopCause,
  RentalStopFailure,
  RentalStopReport,
} from './events.js';
import type { RentalSettings } from './options.js';
import type { PoolMember } from './ports.js';
import type { RentalNode, RentalPaymentEvent } from './RentalNode.js';
import { invoiceOutcomeOf, refusalOf } from './rentalPayments.js';
import { container, download, transfer, withTransferUrl } from './transfers.js';

/** The reason sent to the provider with the termination, by cause. */
const TERMINATION_REASON: Readonly<Record<RentalStopCause, string>> = {
  requested: 'Finished',
  providerTerminated: 'Terminated by the provider',
  costCap: 'Cost cap reached',
  timeout: 'Rental timeout',
  nodeClosing: 'Requestor is closing',
};

/** What the rental's maker tells it. @internal */
export interface RentalHooks {
  /** An allocation made for this rental alone: released once its invoice is dealt with. */
  readonly ownedAllocation?: Allocation;
  /** Called once its stop has finished. */
  readonly stopped?: (rental: Rental, report: RentalStopReport) => void;
}

/**
 * One provider rented for us: an agreement, an activity on it (deployed and started), and the
 * payments they bring. Made by `node.rent(options)` (or a pool's `acquire()`), it runs commands
 * (`run`, `exec`, `runAndStream`), moves files through its `storage`, and `stop()` ends it:
 * destroys the activity, terminates the agreement and settles the invoice (the node's payer pays
 * it), then reports.
 *
 * It watches itself while ready: the provider terminating the agreement (its activity crashed, it
 * stopped working for us), the cost its debit notes bill (`costWarning`, `costCap`) and its
 * `timeout`; each of the last three stops it, as `node.close()` does. `state$` and `events$` are for
 * UIs and logs.
 *
 * ```text
 * state$:   ready ──────────────── stopping ─────────── stopped|
 * calls:    run · exec · uploads    destroy → terminate → invoice dealt with (bounded)
 * events$:  -costWarning--------------------------------stopped|
 * ```
 *
 * @example
 * ```ts
 * const rental = await node.rent({ payload, budget: 1, storage: new StorageServer() });
 * console.log((await rental.run('uname -a')).stdout);
 * await rental.uploadData('hello', '/golem/work/in.txt');
 * const report = await rental.stop();
 * console.log(report.invoice.status); // 'accepted'
 * ```
 */
export class Rental implements PoolMember<RentalStopReport> {
  /** The rental's agreement (approved). */
  readonly agreement: Agreement;
  /** Its activity (deployed and started). */
  readonly activity: Activity;

  private readonly status = new BehaviorSubject<RentalState>('ready');
  private readonly happenings = new Subject<RentalEvent>();
  private readonly cause = new ReplaySubject<RentalStopCause>(1);
  private readonly invoice = new ReplaySubject<RentalInvoiceOutcome>(1);
  /** Watches that run while it is ready. */
  private readonly live = new Subscription();
  /** What runs until its stop has finished (the payer's events, the node's wait for it). */
  private readonly held = new Subscription();
  private stopping: ReplaySubject<RentalStopReport> | undefined;
  private costSoFar = new Decimal(0);
  private warned = false;
  private invoiceKnown = false;
  private providerReason: ReasonDto | undefined;
  private finalReport: RentalStopReport | undefined;

  /**
   * Made by `node.rent()` and pools, from an activity `createActivity` started.
   * @internal
   */
  constructor(
    private readonly node: RentalNode,
    activity: Activity,
    private readonly settings: RentalSettings,
    private readonly hooks: RentalHooks = {},
  ) {
    this.activity = activity;
    this.agreement = activity.agreement;
    // close() waits for this rental's stop (and starts it, below).
    this.held.add(
      node
        .creating(
          this.status.pipe(
            takeWhile((s) => s !== 'stopped'),
            ignoreElements(),
          ),
        )
        .subscribe(),
    );
    this.held.add(
      node.payments$.pipe(filter((e) => e.document.agreementId === this.id)).subscribe({
        next: (event) => this.paymentEvent(event),
        error: (error: unknown) => this.monitorFailed('payments', error),
      }),
    );
    this.watch();
  }

  /** The agreement id: the rental's id. */
  get id(): string {
    return this.agreement.id;
  }

  /** The provider's node id. */
  get providerId(): string {
    return this.agreement.providerId;
  }

  /** Where it is in its life. */
  get state(): RentalState {
    return this.status.value;
  }

  /** The current state, then each change; completes after `stopped`. */
  get state$(): Observable<RentalState> {
    return this.status.asObservable();
  }

  /** What happens to it (hot: from subscription on); completes after the `stopped` event. */
  get events$(): Observable<RentalEvent> {
    return this.happenings.asObservable();
  }

  /** Its provider's node in the rental's `network` (its IP there), if it has one. */
  get networkNode(): NetworkNode | undefined {
    return this.settings.network?.nodeOf(this.agreement);
  }

  /** What it cost so far: the highest amount its debit notes (and invoice) billed, in GLM. */
  get cost(): Decimal {
    return this.costSoFar;
  }

  /** The report of its stop, once it has finished (`undefined` before). */
  get report(): RentalStopReport | undefined {
    return this.finalReport;
  }

  /** Emits why it began to stop, whoever stopped it, then completes (the pool's port). */
  get ended$(): Observable<RentalStopCause> {
    return this.cause.asObservable();
  }

  /**
   * Runs one command and emits its output once it finished: a command line for `/bin/sh -c`, or
   * `[program, ...args]`; stdout and stderr captured as text (`activity.run`).
   *
   * @returns a cold, awaitable {@link Action} of the output; errors with `BatchError` when the
   *   command fails, `RentalStoppedError` once the rental is stopping
   */
  run(command: string | readonly string[]): Action<CommandOutput> {
    return action(defer(() => this.ready('run', () => this.activity.run(command))));
  }

  /**
   * Runs an ExeScript batch: the batch API (`batch.results$`, `batch.runtime$`).
   *
   * @param script the commands, e.g. `[{ run: { entry_point: '/bin/sh', args: ['-c', 'ls'] } }]`
   * @returns a cold, awaitable {@link Action} of the {@link Batch}
   */
  exec(script: readonly ExeScriptCommandDto[]): Action<Batch> {
    return action(defer(() => this.ready('exec', () => this.activity.exec(script))));
  }

  /**
   * Runs one command and emits its stdout and stderr chunk by chunk as it produces them (from the
   * batch's RuntimeEvents); completes when it finished; errors with `BatchError` when it fails.
   * Cold: each subscription runs the command again.
   *
   * ```text
   * runAndStream('for i in 1 2 3; do echo $i; sleep 1; done')
   * result:  -1--2--3-|        (stdout chunks "1\n", "2\n", "3\n")
   * ```
   */
  runAndStream(command: string | readonly string[]): Observable<OutputChunk> {
    return defer(() =>
      this.ready('runAndStream', () => {
        const [entryPoint, ...args] = typeof command === 'string' ? ['/bin/sh', '-c', command] : command;
        if (entryPoint === undefined) throw new RangeError('rental.runAndStream: the command is empty');
        const stream = { stream: { format: 'string' as const } };
        const script = [
          { run: { entry_point: entryPoint, args, capture: { stdout: stream, stderr: stream } } },
        ];
        return this.activity
          .exec(script)
          .pipe(
            concatMap((batch) =>
              merge(batch.runtime$.pipe(concatMap(chunksOf)), batch.results$.pipe(ignoreElements())),
            ),
          );
      }),
    );
  }

  /** Sends the local file `localPath` to the provider's `remotePath` (through `storage`). */
  uploadFile(localPath: string, remotePath: string): Action<void> {
    return this.transfer('uploadFile', (storage) =>
      withTransferUrl(
        (signal) => storage.publishFile(localPath, { signal }),
        (url) => transfer(this.activity, url.url, container(remotePath)),
      ),
    );
  }

  /** Sends `data` (text is UTF-8) to the provider's `remotePath` (through `storage`). */
  uploadData(data: Uint8Array | string, remotePath: string): Action<void> {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    return this.transfer('uploadData', (storage) =>
      withTransferUrl(
        (signal) => storage.publishBytes(bytes, { signal }),
        (url) => transfer(this.activity, url.url, container(remotePath)),
      ),
    );
  }

  /** Fetches the provider's `remotePath` into the local file `localPath` (its directory must exist). */
  downloadFile(remotePath: string, localPath: string): Action<void> {
    return this.transfer('downloadFile', (storage) =>
      withTransferUrl(
        (signal) => storage.receiveFile(localPath, { signal }),
        (incoming) => download(this.activity, remotePath, incoming, this.node.scheduler),
      ),
    );
  }

  /** Fetches the provider's `remotePath` into memory: emits its bytes. */
  downloadData(remotePath: string): Action<Uint8Array> {
    return this.transfer('downloadData', (storage) =>
      withTransferUrl(
        (signal) => storage.receiveBytes({ signal }),
        (incoming) => download(this.activity, remotePath, incoming, this.node.scheduler),
      ),
    );
  }

  /**
   * Ends the rental: destroys the activity, terminates the agreement, takes its provider out of
   * the `network` (if any), waits (at most
   * `invoiceTimeout`) for the node's payer to deal with the invoice, releases an allocation made
   * for this rental alone, and reports. Idempotent: every call (and the rental's own stops) gets
   * the same report. It runs to its end whoever listens: unsubscribing stops the waiting only.
   *
   * @returns a cold, awaitable {@link Action} of the {@link RentalStopReport} (it never errors:
   *   what failed is in the report)
   */
  stop(): Action<RentalStopReport> {
    return action(
      defer(() => {
        this.begin('requested');
        return this.stopping!.asObservable();
      }),
    );
  }

  /** Only the agreement and provider: never the node. */
  toJSON(): { agreementId: string; providerId: string; state: RentalState } {
    return { agreementId: this.id, providerId: this.providerId, state: this.state };
  }

  private ready<T>(operation: string, run: () => Observable<T>): Observable<T> {
    if (this.state !== 'ready') throw new RentalStoppedError({ agreementId: this.id, operation });
    return run();
  }

  private transfer<T>(operation: string, run: (storage: TransferStorage) => Observable<T>): Action<T> {
    return action(
      defer(() => {
        const { storage } = this.settings;
        if (storage === undefined) {
          throw new RangeError(
            `rental.${operation}: no storage; give rent() a storage (e.g. a StorageServer)`,
          );
        }
        return this.ready(operation, () => run(storage));
      }),
    );
  }

  /** The watches of a ready rental. */
  private watch(): void {
    const { node, settings } = this;
    this.live.add(
      node.agreementEvents$.pipe(filter(({ agreement }) => agreement === this.agreement)).subscribe({
        next: ({ event }) => {
          if (event.eventType !== 'AgreementTerminatedEvent' || event.terminator !== 'Provider') return;
          this.providerReason = event.reason;
          this.happenings.next({ type: 'providerTerminated', agreementId: this.id, reason: event.reason });
          this.begin('providerTerminated');
        },
        error: (error: unknown) => this.monitorFailed('agreementEvents', error),
      }),
    );
    this.live.add(
      this.activity.debitNotes$.subscribe({
        next: (note) => this.billed(note.amount),
        error: (error: unknown) => this.monitorFailed('debitNotes', error),
      }),
    );
    if (settings.timeout !== undefined) {
      const ms = settings.timeout;
      this.live.add(
        timer(ms, node.scheduler).subscribe(() => {
          this.happenings.next({ type: 'timedOut', agreementId: this.id, timeout: ms });
          this.begin('timeout');
        }),
      );
    }
    this.live.add(node.stopping$.subscribe(() => this.begin('nodeClosing')));
  }

  /** A debit note (or the invoice) billed `amount`: the cost so far, the warning, the cap. */
  private billed(amount: Decimal): void {
    if (amount.greaterThan(this.costSoFar)) this.costSoFar = amount;
    const { costWarning, costCap } = this.settings;
    if (this.state !== 'ready') return;
    if (costWarning !== undefined && !this.warned && this.costSoFar.greaterThanOrEqualTo(costWarning)) {
      this.warned = true;
      this.happenings.next({
        type: 'costWarning',
        agreementId: this.id,
        cost: this.costSoFar,
        threshold: costWarning,
      });
    }
    if (costCap !== undefined && this.costSoFar.greaterThanOrEqualTo(costCap)) this.capReached(costCap);
  }

  private capReached(cap: Decimal): void {
    if (this.state !== 'ready') return;
    this.happenings.next({ type: 'costCapReached', agreementId: this.id, cost: this.costSoFar, cap });
    this.begin('costCap');
  }

  /** What the node's payer did with one of its documents. */
  private paymentEvent(event: RentalPaymentEvent): void {
    const { document } = event;
    if (document.kind === 'Invoice' && event.kind !== 'skipped') this.billed(document.amount);
    const refusal = refusalOf(event);
    if (refusal !== undefined) {
      this.happenings.next({
        type: 'paymentRefused',
        agreementId: this.id,
        documentId: document.id,
        documentKind: document.kind,
        error: refusal.error,
        rejection: refusal.rejection,
      });
    }
    if (event.kind === 'overBudget' && event.scope === 'costCap' && document.kind === 'DebitNote') {
      this.billed(document.amount);
      this.capReached(event.budget);
    }
    const outcome = invoiceOutcomeOf(event);
    if (outcome !== undefined && !this.invoiceKnown) {
      this.invoiceKnown = true;
      this.invoice.next(outcome);
      this.invoice.complete();
    }
  }

  private monitorFailed(source: 'agreementEvents' | 'debitNotes' | 'payments', error: unknown): void {
    this.happenings.next({ type: 'monitorFailed', agreementId: this.id, source, error });
  }

  /** Begins the stop, once (detached: it runs to its end whoever listens). */
  private begin(cause: RentalStopCause): void {
    if (this.stopping === undefined) {
      const result = new ReplaySubject<RentalStopReport>(1);
      this.stopping = result;
      this.cause.next(cause);
      this.cause.complete();
      this.live.unsubscribe();
      this.status.next('stopping');
      this.stopSequence(cause).subscribe({
        next: (report) => this.finish(report, result),
        error: (error: unknown) => result.error(error),
      });
    }
  }

  private stopSequence(cause: RentalStopCause): Observable<RentalStopReport> {
    const failures: RentalStopFailure[] = [];
    const attempt = (
      operation: RentalStopFailure['operation'],
      call: () => Observable<unknown>,
    ): Observable<never> =>
      defer(call).pipe(
        ignoreElements(),
        // not swallowed: the failure is in the report, and the stop goes on past it
        catchError((error: unknown) => {
          failures.push({ operation, error });
          return EMPTY;
        }),
      );
    const terminated = (): boolean => !failures.some((f) => f.operation === 'terminateAgreement');
    return concat(
      defer(() => (this.activity.closed ? EMPTY : attempt('destroyActivity', () => this.activity.destroy()))),
      defer(() =>
        this.agreement.closed
          ? EMPTY
          : attempt('terminateAgreement', () => this.agreement.terminate(TERMINATION_REASON[cause])),
      ),
      defer(() => {
        const { network } = this.settings;
        return network === undefined || network.nodeOf(this.agreement) === undefined
          ? EMPTY
          : attempt('removeNetworkNode', () => network.removeNode(this.agreement));
      }),
      defer(() => this.invoiceOutcome$(terminated())),
    ).pipe(
      concatMap((invoice) => {
        const allocation = this.hooks.ownedAllocation;
        const settled =
          invoice.status === 'accepted' || invoice.status === 'refused' || invoice.status === 'failed';
        const release$ =
          allocation !== undefined && settled
            ? attempt('releaseAllocation', () => allocation.release())
            : EMPTY;
        return concat(release$, of(invoice));
      }),
      map((invoice) => this.reportOf(cause, failures, invoice)),
    );
  }

  /** The invoice dealt with, within `invoiceTimeout`; or why none can be waited for. */
  private invoiceOutcome$(terminated: boolean): Observable<RentalInvoiceOutcome> {
    if (!this.node.payer.enabled) return of({ status: 'notPaid' });
    if (!terminated) return of({ status: 'notTerminated' });
    return race(
      this.invoice.pipe(take(1)),
      timer(this.settings.invoiceTimeout, this.node.scheduler).pipe(
        map((): RentalInvoiceOutcome => ({ status: 'timeout' })),
      ),
    );
  }

  private reportOf(
    cause: RentalStopCause,
    failures: readonly RentalStopFailure[],
    invoice: RentalInvoiceOutcome,
  ): RentalStopReport {
    const paid = invoice.status === 'accepted' || invoice.status === 'notPaid';
    return {
      agreementId: this.id,
      providerId: this.providerId,
      cause,
      ...(this.providerReason === undefined ? {} : { providerReason: this.providerReason }),
      cost: this.costSoFar,
      failures,
      invoice,
      ok: failures.length === 0 && paid,
    };
  }

  private finish(report: RentalStopReport, result: ReplaySubject<RentalStopReport>): void {
    this.finalReport = report;
    this.happenings.next({ type: 'stopped', agreementId: this.id, report });
    this.happenings.complete();
    this.status.next('stopped');
    this.status.complete();
    this.held.unsubscribe();
    this.hooks.stopped?.(this, report);
    result.next(report);
    result.complete();
  }
}

/** The output chunks of one RuntimeEvent. */
function chunksOf(event: RuntimeEventDto): OutputChunk[] {
  const { kind, index } = event;
  if ('stdout' in kind) return [{ index, stream: 'stdout', text: textOf(kind.stdout) }];
  if ('stderr' in kind) return [{ index, stream: 'stderr', text: textOf(kind.stderr) }];
  return [];
}

function textOf(output: string | readonly number[]): string {
  return typeof output === 'string' ? output : new TextDecoder().decode(Uint8Array.from(output));
}
