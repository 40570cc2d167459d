/**
 * The node's payer: pays the debit notes and invoices of the agreements the node made, from the
 * allocation of each agreement's demand, through a {@link PaymentPolicy} (by default
 * `acceptPayments`, loaded with a dynamic `import()` when the payer first starts: the resource
 * layer never imports the operators at module load). The loop here knows no policy: it routes
 * each document to the policy of its allocation and records what became of each invoice.
 *
 * @module
 */
import { Decimal } from 'decimal.js';
import {
  EMPTY,
  type Observable,
  Subject,
  Subscription,
  catchError,
  concatMap,
  defer,
  forkJoin,
  groupBy,
  map,
  merge,
  mergeMap,
  of,
  takeLast,
  tap,
} from 'rxjs';
import { BudgetExceededError } from '../errors/BudgetExceededError.js';
import { PaymentRefusedError } from '../errors/PaymentRefusedError.js';
import type { PayableDocument, PaymentEvent } from '../ports/index.js';
import type { Agreement } from '../resources/Agreement.js';
import type { Allocation } from '../resources/Allocation.js';
import { Demand } from '../resources/Demand.js';
import { ResourceOperationFailed } from '../resources/events.js';
import type { GolemNode } from './GolemNode.js';
import { Invoice } from '../resources/Invoice.js';
import type { UnsettledAgreement, UnsettledReason } from '../resources/nodeClose.js';
import type { PaymentPolicy } from '../resources/paymentPolicy.js';
import { acceptPayments } from '../operators/acceptPayments.js';
import type { NodeConfig } from '../resources/nodeOptions.js';
import { PROPERTY } from '../resources/payload.js';
import { Proposal } from '../resources/Proposal.js';
import type { Resource } from '../resources/Resource.js';

/**
 * What `node.payments$` reports: the policy's events about each debit note and invoice of the
 * node's agreements (`accepted`, `overPrice`, `overBudget`, `failed`, `skipped`, …), but not its
 * `summary` (read `node.spent`). In an `accepted` event `spent` is what the node paid in all.
 */
export type NodePaymentEvent = Exclude<PaymentEvent<Allocation>, { readonly kind: 'summary' }>;

/** An approved agreement of the node, not paid yet. */
interface Entry {
  readonly agreement: Agreement;
  /** The allocations of its demand (empty when unknown). */
  readonly allocations: readonly Allocation[];
  /** The one it is paid from, once chosen. */
  allocation?: Allocation;
  /** Its invoice, once it arrived. */
  invoice?: Invoice;
  /** Why it will not be paid, once that is final (its invoice refused, or accepting it failed). */
  verdict?: Omit<UnsettledAgreement, 'agreement'>;
}

/**
 * The payer of one node. Runs (polls the node's debit notes and invoices) only while an agreement
 * it pays is approved and its invoice not dealt with; stops at `end()`.
 */
export class NodePayments {
  private readonly entries = new Map<string, Entry>();
  private readonly events = new Subject<NodePaymentEvent>();
  private readonly changes = new Subject<void>();
  private readonly spentFrom = new Map<string, Decimal>();
  private readonly caps = new Map<string, Decimal>();
  private total = new Decimal(0);
  private loop: Subscription | undefined;
  private ended = false;

  /** The payer's events; completes at `end()`. */
  readonly events$: Observable<NodePaymentEvent> = this.events.asObservable();

  /** Emits when an invoice was dealt with (or the payer failed); completes at `end()`. */
  readonly changes$: Observable<void> = this.changes.asObservable();

  /**
   * @param node the node whose agreements it pays
   * @param config the node's `payments` options, resolved
   */
  constructor(
    private readonly node: GolemNode,
    private readonly config: NodeConfig['payments'],
  ) {}

  /** Does the node pay? */
  get enabled(): boolean {
    return this.config.enabled;
  }

  /** What the payer accepted so far, in GLM. */
  get spent(): Decimal {
    return this.total;
  }

  /**
   * An agreement was approved: when this node made it (from one of its drafts), it is paid from
   * now on (or, with payments off, only remembered for `close()`'s report).
   */
  approved(agreement: Agreement): void {
    if (this.ended || this.entries.has(agreement.id)) return;
    const demand = demandOf(agreement);
    if (demand === undefined) return;
    this.entries.set(agreement.id, { agreement, allocations: demand.allocations ?? [] });
    this.resume();
  }

  /**
   * Caps what is accepted for one agreement in all (a rental's `costCap`): the policy refuses a
   * document that would take the agreement's total over it (`acceptPayments`: `overBudget`, scope
   * `costCap`, rejected through yagna).
   */
  capCost(agreementId: string, cap: Decimal): void {
    this.caps.set(agreementId, cap);
  }

  /** How many terminated agreements still wait for their invoice to be dealt with. */
  awaited(): number {
    let count = 0;
    for (const entry of this.entries.values()) if (this.pays(entry) && entry.agreement.closed) count++;
    return count;
  }

  /** Starts the loop when an agreement waits to be paid and it is not running. */
  resume(): void {
    if (this.loop !== undefined || this.ended || !this.hasWork()) return;
    const loop = new Subscription();
    this.loop = loop;
    loop.add(
      this.run$().subscribe({
        next: (event) => this.record(event),
        error: (error: unknown) => this.failed(loop, error),
        complete: () => this.stopped(loop),
      }),
    );
  }

  /**
   * Stops for good (aborting accepts in flight) and says what is left unpaid, forgetting it.
   * Completes `events$` and `changes$`.
   */
  end(): UnsettledAgreement[] {
    this.ended = true;
    this.loop?.unsubscribe();
    this.loop = undefined;
    const left = [...this.entries.values()].map((entry) => ({
      agreement: entry.agreement,
      ...this.why(entry),
    }));
    this.entries.clear();
    this.caps.clear();
    this.events.complete();
    this.changes.complete();
    return left;
  }

  /** Why an entry is still here. */
  private why(entry: Entry): Omit<UnsettledAgreement, 'agreement'> {
    if (entry.verdict !== undefined) return entry.verdict;
    const invoice = entry.invoice ?? invoiceOf(entry.agreement);
    const reason: UnsettledReason = !this.config.enabled
      ? 'notPaid'
      : entry.allocations.length === 0
        ? 'noAllocation'
        : invoice === undefined
          ? 'noInvoice'
          : 'timeout';
    return invoice === undefined ? { reason } : { reason, invoice };
  }

  /** Will the payer pay this entry's documents? */
  private pays(entry: Entry): boolean {
    return this.config.enabled && entry.allocations.length > 0 && entry.verdict === undefined;
  }

  private hasWork(): boolean {
    for (const entry of this.entries.values()) if (this.pays(entry)) return true;
    return false;
  }

  /**
   * The documents of the entries it pays, each through the policy of its allocation. The
   * documents are subscribed at once (each is delivered only once, to whoever listens then); the
   * first waits for the policy to load, the next ones queue behind it.
   */
  private run$(): Observable<PaymentEvent<Allocation>> {
    const documents$ = merge<PayableDocument<Allocation>[]>(this.node.debitNotes$, this.node.invoices$);
    const policy: PaymentPolicy = this.config.policy ?? ((context) => acceptPayments(context));
    return defer(() =>
      documents$.pipe(
        concatMap((document) => this.route(document)),
        groupBy(({ allocation }) => allocation),
        mergeMap((group) =>
          group.pipe(
            map(({ document }) => document),
            policy({
              allocation: group.key,
              budget: this.budgetOf(group.key),
              scheduler: this.node.scheduler,
              costCap: (agreementId) => this.caps.get(agreementId),
            }),
          ),
        ),
      ),
    );
  }

  /** A document with the allocation to pay it from; nothing when it is not the payer's. */
  private route(
    document: PayableDocument<Allocation>,
  ): Observable<{ allocation: Allocation; document: PayableDocument<Allocation> }> {
    const entry = this.entries.get(document.agreementId);
    if (entry === undefined || !this.pays(entry)) return EMPTY;
    if (document instanceof Invoice) entry.invoice = document;
    return allocationOf(entry).pipe(
      map((allocation) => ({ allocation, document })),
      catchError((error: unknown) => {
        this.record({ kind: 'failed', document, error });
        return EMPTY;
      }),
    );
  }

  /** What is left of `allocation` for the node: its total less what the node paid from it. */
  private budgetOf(allocation: Allocation): Decimal {
    const spent = this.spentFrom.get(allocation.id) ?? new Decimal(0);
    return Decimal.max(0, allocation.data.totalAmount.minus(spent));
  }

  private record(event: PaymentEvent<Allocation>): void {
    if (event.kind === 'summary') return;
    let reported: NodePaymentEvent = event;
    if (event.kind === 'accepted') {
      this.total = this.total.plus(event.amount);
      const allocation = this.entries.get(event.document.agreementId)?.allocation;
      if (allocation !== undefined) {
        const before = this.spentFrom.get(allocation.id) ?? new Decimal(0);
        this.spentFrom.set(allocation.id, before.plus(event.amount));
      }
      reported = { ...event, spent: this.total };
    }
    const settled = this.settle(reported);
    this.events.next(reported);
    if (settled) {
      if (!this.hasWork()) this.stop();
      this.changes.next();
    }
  }

  /** Records what became of an invoice; true when the agreement's outcome is now final. */
  private settle(event: NodePaymentEvent): boolean {
    const { document } = event;
    if (document.kind !== 'Invoice') return false;
    const entry = this.entries.get(document.agreementId);
    if (entry === undefined || entry.verdict !== undefined) return false;
    const invoice = document instanceof Invoice ? document : entry.invoice;
    const refused = (error: unknown): Omit<UnsettledAgreement, 'agreement'> => ({
      reason: 'refused',
      error,
      ...(invoice === undefined ? {} : { invoice }),
    });
    switch (event.kind) {
      case 'accepted':
        this.entries.delete(document.agreementId);
        this.caps.delete(document.agreementId);
        return true;
      case 'overPrice':
        entry.verdict = refused(
          new PaymentRefusedError({
            documentId: document.id,
            agreementId: document.agreementId,
            reason: event.reason,
            ...(event.limit === undefined ? {} : { limit: event.limit }),
          }),
        );
        return true;
      case 'overBudget':
        entry.verdict = refused(
          new BudgetExceededError({
            agreementId: document.agreementId,
            wouldSpend: event.spent.plus(event.amount),
            budget: event.budget,
          }),
        );
        return true;
      case 'failed':
        entry.verdict = {
          reason: 'failed',
          error: event.error,
          ...(invoice === undefined ? {} : { invoice }),
        };
        return true;
      default:
        return false;
    }
  }

  /** The loop failed for good (a payment poll, the policy): what it was paying is not paid. */
  private failed(loop: Subscription, error: unknown): void {
    if (this.loop === loop) this.loop = undefined;
    for (const entry of this.entries.values()) {
      if (!this.pays(entry)) continue;
      entry.verdict = {
        reason: 'failed',
        error,
        ...(entry.invoice === undefined ? {} : { invoice: entry.invoice }),
      };
      this.node.events.emit(new ResourceOperationFailed(entry.agreement, 'pay', error));
    }
    this.changes.next();
  }

  /** The documents ended (the node stopped): nothing more can be paid. */
  private stopped(loop: Subscription): void {
    if (this.loop === loop) this.loop = undefined;
  }

  private stop(): void {
    const loop = this.loop;
    this.loop = undefined;
    loop?.unsubscribe();
  }
}

/** The demand an agreement was made under, when this node made it from a draft. */
function demandOf(agreement: Agreement): Demand | undefined {
  const draft: Resource | undefined = agreement.parent;
  if (!(draft instanceof Proposal)) return undefined;
  for (let at: Resource | undefined = draft; at !== undefined; at = at.parent) {
    if (at instanceof Demand) return at;
  }
  return draft.demand;
}

/** The invoice the node knows for an agreement (attached by `node.invoices$` or a listing). */
function invoiceOf(agreement: Agreement): Invoice | undefined {
  return agreement.children.find((child): child is Invoice => child instanceof Invoice);
}

/**
 * The allocation to pay an agreement from (its data loaded): its demand's only one, or the one
 * on the platform the agreement chose (`golem.com.payment.chosen-platform`), else the first.
 */
function allocationOf(entry: Entry): Observable<Allocation> {
  const known = entry.allocation;
  if (known !== undefined) return of(known);
  const { allocations, agreement } = entry;
  return forkJoin(allocations.map((allocation) => allocation.ensureData$())).pipe(
    concatMap(() =>
      allocations.length === 1
        ? of(allocations[0]!)
        : agreement.ensureData$().pipe(
            // on completion: the policy reads the agreement again (`terms$`), and a read joined
            // while the shared one is still emitting would complete empty
            takeLast(1),
            map((data) => {
              const chosen = data.demand.properties[PROPERTY.chosenPlatform];
              return allocations.find((a) => a.paymentPlatform === chosen) ?? allocations[0]!;
            }),
          ),
    ),
    tap((allocation) => (entry.allocation = allocation)),
  );
}
