/**
 * The money of a task job: accepts the debit notes and invoices of the job's agreements against
 * its allocation, from the moment the job starts (so a long first batch is paid on time), never
 * over the budget, and waits for the invoices at the end.
 *
 * @internal
 * @module
 */
import { Decimal } from 'decimal.js';
import {
  EMPTY,
  Observable,
  type SchedulerLike,
  Subject,
  catchError,
  concatMap,
  defer,
  ignoreElements,
  map,
  merge,
  tap,
} from 'rxjs';
import { BudgetExceededError } from '../errors/BudgetExceededError.js';
import type { Allocation } from '../resources/Allocation.js';
import type { DebitNote } from '../resources/DebitNote.js';
import type { GolemNode } from '../resources/GolemNode.js';
import type { Invoice } from '../resources/Invoice.js';
import type { JobEvent } from './events.js';

interface Billing {
  /** Accepted cumulative totals, per activity. */
  readonly debits: Map<string, Decimal>;
  /** The accepted invoice amount. */
  invoice: Decimal | undefined;
  /** Is the invoice dealt with (accepted or refused)? */
  settled: boolean;
}

type Document =
  | { readonly kind: 'debitNote'; readonly note: DebitNote }
  | { readonly kind: 'invoice'; readonly invoice: Invoice };

const ZERO = new Decimal(0);

/** Pays what the job's agreements bill. */
export class JobPayments {
  private readonly billings = new Map<string, Billing>();
  private readonly settledInvoices = new Subject<string>();
  private total = ZERO;

  /**
   * @param node the node whose debit notes and invoices arrive
   * @param allocation what to pay from
   * @param budget the most the job may spend (GLM); `undefined`: the allocation is the limit
   * @param emit reports payment events
   * @param overBudget called when a document was refused for the budget
   */
  constructor(
    private readonly node: GolemNode,
    private readonly allocation: Allocation,
    private readonly budget: Decimal | undefined,
    private readonly emit: (event: JobEvent) => void,
    private readonly overBudget: (agreementId: string) => void,
  ) {}

  /** What the job accepted to pay so far. */
  get spent(): Decimal {
    return this.total;
  }

  /** Is there budget left? */
  get hasBudget(): boolean {
    return this.budget === undefined || this.total.lt(this.budget);
  }

  /** Makes `agreementId` one of the job's: its documents will be paid. */
  track(agreementId: string): void {
    if (!this.billings.has(agreementId))
      this.billings.set(agreementId, { debits: new Map(), invoice: undefined, settled: false });
  }

  /**
   * Accepts the job's documents, one at a time, while subscribed. Emits nothing; errors when the
   * node's payment polls fail for good.
   */
  run$(): Observable<never> {
    const documents$ = merge(
      this.node.debitNotes$.pipe(map((note): Document => ({ kind: 'debitNote', note }))),
      this.node.invoices$.pipe(map((invoice): Document => ({ kind: 'invoice', invoice }))),
    );
    return documents$.pipe(
      concatMap((doc) =>
        doc.kind === 'debitNote' ? this.payDebitNote(doc.note) : this.payInvoice(doc.invoice),
      ),
      ignoreElements(),
    );
  }

  /**
   * Waits until every agreement of the job has its invoice dealt with, at most `timeoutMs`; emits
   * `invoiceMissing` for each one still without an invoice then. Completes; runs nothing itself
   * (keep `run$()` subscribed meanwhile).
   */
  invoices$(timeoutMs: number, scheduler: SchedulerLike): Observable<never> {
    return new Observable<never>((subscriber) => {
      const waiting = new Set([...this.billings].filter(([, b]) => !b.settled).map(([id]) => id));
      if (waiting.size === 0) {
        subscriber.complete();
        return;
      }
      subscriber.add(
        scheduler.schedule(() => {
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

  private costOf(billing: Billing): Decimal {
    if (billing.invoice !== undefined) return billing.invoice;
    let sum = ZERO;
    for (const amount of billing.debits.values()) sum = sum.plus(amount);
    return sum;
  }

  private payDebitNote(note: DebitNote): Observable<never> {
    return defer(() => {
      const { agreementId, activityId, totalAmountDue: due } = note.data;
      const billing = this.billings.get(agreementId);
      if (billing === undefined || billing.settled) return EMPTY; // not this job's, or already invoiced
      const before = billing.debits.get(activityId) ?? ZERO;
      const delta = Decimal.max(ZERO, due.minus(before));
      const wouldSpend = this.total.plus(delta);
      const refuse = (error: unknown): void =>
        this.emit({
          type: 'paymentRefused',
          kind: 'debitNote',
          documentId: note.id,
          agreementId,
          amount: due,
          error,
        });
      if (this.budget !== undefined && wouldSpend.gt(this.budget)) {
        refuse(new BudgetExceededError({ agreementId, wouldSpend, budget: this.budget }));
        this.overBudget(agreementId);
        return EMPTY;
      }
      return note.accept(this.allocation).pipe(
        tap({
          complete: () => {
            if (due.gt(before)) {
              billing.debits.set(activityId, due);
              this.total = wouldSpend;
            }
            this.emit({
              type: 'debitNoteAccepted',
              debitNoteId: note.id,
              agreementId,
              activityId,
              amount: due,
            });
          },
        }),
        ignoreElements(),
        catchError((error: unknown) => {
          refuse(error);
          return EMPTY;
        }),
      );
    });
  }

  private payInvoice(invoice: Invoice): Observable<never> {
    return defer(() => {
      const { agreementId, amount } = invoice.data;
      const billing = this.billings.get(agreementId);
      if (billing === undefined || billing.settled) return EMPTY;
      const wouldSpend = this.total.minus(this.costOf(billing)).plus(amount);
      const settle = (): void => {
        billing.settled = true;
        this.settledInvoices.next(agreementId);
      };
      const refuse = (error: unknown): void => {
        this.emit({
          type: 'paymentRefused',
          kind: 'invoice',
          documentId: invoice.id,
          agreementId,
          amount,
          error,
        });
        settle();
      };
      if (this.budget !== undefined && wouldSpend.gt(this.budget)) {
        refuse(new BudgetExceededError({ agreementId, wouldSpend, budget: this.budget }));
        this.overBudget(agreementId);
        return EMPTY;
      }
      return invoice.accept(this.allocation).pipe(
        tap({
          complete: () => {
            billing.invoice = amount;
            this.total = wouldSpend;
            this.emit({ type: 'invoiceAccepted', invoiceId: invoice.id, agreementId, amount });
            settle();
          },
        }),
        ignoreElements(),
        catchError((error: unknown) => {
          refuse(error);
          return EMPTY;
        }),
      );
    });
  }
}
