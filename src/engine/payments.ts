/**
 * The money of a task job: the debit notes and invoices of the job's agreements paid from the
 * moment the job starts (so a long first batch is paid on time), never over the budget; and the
 * wait for the invoices at the end. Who pays depends on the node: with its payer on (the default),
 * the node pays them (from the job's allocation, whose total is the budget) and the job only
 * follows `node.payments$`; with `payments: false`, the job runs its own `acceptPayments`.
 *
 * @module
 */
import { Decimal } from 'decimal.js';
import { Observable, type SchedulerLike, Subject, filter, ignoreElements, merge, tap } from 'rxjs';
import { BudgetExceededError } from '../errors/BudgetExceededError.js';
import { PaymentRefusedError } from '../errors/PaymentRefusedError.js';
import { type PayableDocument, type PaymentEvent, acceptPayments } from '../operators/acceptPayments.js';
import type { Allocation } from '../resources/Allocation.js';
import type { GolemNode } from '../node/GolemNode.js';
import type { NodePaymentEvent } from '../node/nodePayments.js';
import type { JobEvent } from './events.js';

type Document = PayableDocument<Allocation>;

/**
 * Who pays the job's documents: the node's payer (`node.payments$` is only followed), or the job
 * itself (`acceptPayments` over the node's documents, for a node with `payments: false`).
 */
export type JobPayer = 'node' | 'job';

/** Pays what the job's agreements bill. */
export class JobPayments {
  /** The job's agreements; `true` once their invoice is dealt with (accepted or refused). */
  private readonly invoiced = new Map<string, boolean>();
  private readonly settledInvoices = new Subject<string>();
  private total = new Decimal(0);

  /**
   * @param node the node whose debit notes and invoices arrive
   * @param allocation what to pay from
   * @param budget the most the job may spend (GLM)
   * @param emit reports payment events
   * @param overBudget called when a document was refused for the budget
   * @param scheduler the clock of the price checks and of the invoice wait
   * @param payer who pays (see {@link JobPayer})
   */
  constructor(
    private readonly node: GolemNode,
    private readonly allocation: Allocation,
    private readonly budget: Decimal,
    private readonly emit: (event: JobEvent) => void,
    private readonly overBudget: (agreementId: string) => void,
    private readonly scheduler: SchedulerLike,
    private readonly payer: JobPayer = 'job',
  ) {}

  /** What the job accepted to pay so far. */
  get spent(): Decimal {
    return this.total;
  }

  /** Is there budget left? */
  get hasBudget(): boolean {
    return this.total.lt(this.budget);
  }

  /** Makes `agreementId` one of the job's: its documents will be paid. */
  track(agreementId: string): void {
    if (!this.invoiced.has(agreementId)) this.invoiced.set(agreementId, false);
  }

  /**
   * Follows the payments of the job's documents while subscribed: the node's payer's events, or
   * (`payer: 'job'`) its own `acceptPayments` (prices checked against the agreement, the budget
   * kept). Emits nothing; errors when the node's payment polls fail for good.
   */
  run$(): Observable<never> {
    const { node } = this;
    if (this.payer === 'node') {
      return node.payments$.pipe(
        filter((event: NodePaymentEvent) => this.invoiced.get(event.document.agreementId) === false),
        tap((event) => this.record(event)),
        ignoreElements(),
      );
    }
    // The resource layer's DebitNote and Invoice are acceptPayments documents.
    const documents$ = merge<Document[]>(node.debitNotes$, node.invoices$).pipe(
      filter((doc) => this.invoiced.get(doc.agreementId) === false),
    );
    return documents$.pipe(
      acceptPayments({ allocation: this.allocation, budget: this.budget, scheduler: this.scheduler }),
      tap((event) => this.record(event)),
      ignoreElements(),
    );
  }

  /**
   * Waits until every agreement of the job has its invoice dealt with, at most `timeoutMs`; emits
   * `invoiceMissing` for each one still without an invoice then. Completes; keep `run$()`
   * subscribed meanwhile.
   */
  invoices$(timeoutMs: number): Observable<never> {
    return new Observable<never>((subscriber) => {
      const waiting = new Set([...this.invoiced].filter(([, done]) => !done).map(([id]) => id));
      if (waiting.size === 0) {
        subscriber.complete();
        return;
      }
      subscriber.add(
        this.scheduler.schedule(() => {
          for (const agreementId of waiting) this.emit({ type: 'invoiceMissing', agreementId });
          subscriber.complete();
        }, timeoutMs),
      );
      subscriber.add(
        this.settledInvoices.subscribe((agreementId) => {
          waiting.delete(agreementId);
          if (waiting.size === 0) subscriber.complete();
        }),
      );
    });
  }

  private settle(doc: Document): void {
    if (doc.kind !== 'Invoice') return;
    this.invoiced.set(doc.agreementId, true);
    this.settledInvoices.next(doc.agreementId);
  }

  private refused(doc: Document, error: unknown): void {
    const kind = doc.kind === 'Invoice' ? 'invoice' : 'debitNote';
    this.emit({
      type: 'paymentRefused',
      kind,
      documentId: doc.id,
      agreementId: doc.agreementId,
      amount: doc.amount,
      error,
    });
    this.settle(doc);
  }

  private record(event: PaymentEvent<Allocation>): void {
    switch (event.kind) {
      case 'accepted': {
        const doc = event.document;
        // `amount` is what this document charged; the event's `spent` may count other jobs (node payer)
        this.total = this.total.plus(event.amount);
        if (doc.kind === 'Invoice') {
          this.emit({
            type: 'invoiceAccepted',
            invoiceId: doc.id,
            agreementId: doc.agreementId,
            amount: doc.amount,
          });
        } else {
          this.emit({
            type: 'debitNoteAccepted',
            debitNoteId: doc.id,
            agreementId: doc.agreementId,
            activityId: doc.activityId ?? '',
            amount: doc.amount,
          });
        }
        this.settle(doc);
        return;
      }
      case 'overBudget': {
        const doc = event.document;
        const wouldSpend = event.spent.plus(event.amount);
        this.refused(
          doc,
          new BudgetExceededError({ agreementId: doc.agreementId, wouldSpend, budget: event.budget }),
        );
        this.overBudget(doc.agreementId);
        return;
      }
      case 'overPrice': {
        const doc = event.document;
        this.refused(
          doc,
          new PaymentRefusedError({
            documentId: doc.id,
            agreementId: doc.agreementId,
            reason: event.reason,
            limit: event.limit,
          }),
        );
        return;
      }
      case 'failed':
        this.refused(event.document, event.error);
        return;
      case 'summary':
        return;
    }
  }
}
