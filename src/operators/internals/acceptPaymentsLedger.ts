/**
 * The books of one `acceptPayments` subscription: what was accepted (per activity: the last debit
 * note total; per agreement: whether its invoice was taken up or accepted), the usage reported,
 * the budget spent and reserved, and the rejections already made.
 *
 * @module
 */
import { Decimal } from 'decimal.js';
import type { PayableDocument, RejectionOutcome, SkipReason } from '../../ports/index.js';

/** What is known of one agreement. */
interface AgreementBook {
  /** Activity → the highest debit-note total accepted (debit notes are cumulative). */
  readonly accepted: Map<string, Decimal>;
  /** Activity → the latest sound counters its debit notes reported. */
  readonly usage: Map<string, readonly Decimal[]>;
  /** An invoice of the agreement was taken up (checked, being accepted, accepted or refused). */
  invoiced: boolean;
  /** An invoice of the agreement was accepted. */
  paid: boolean;
}

function activityOf(document: PayableDocument): string {
  return document.activityId ?? '';
}

/** What was accepted, per subscription. */
export class PaymentLedger {
  spent = new Decimal(0);
  reserved = new Decimal(0);
  private readonly books = new Map<string, AgreementBook>();
  private readonly accepted = new Set<string>();
  private readonly rejections = new Map<string, RejectionOutcome>();

  /** The book of an agreement (an agreement with a book counts as billed). */
  private book(agreementId: string): AgreementBook {
    let book = this.books.get(agreementId);
    if (!book) {
      book = { accepted: new Map(), usage: new Map(), invoiced: false, paid: false };
      this.books.set(agreementId, book);
    }
    return book;
  }

  /** A document arrived: its agreement is billed. */
  seen(document: PayableDocument): void {
    this.book(document.agreementId);
  }

  isAccepted(id: string): boolean {
    return this.accepted.has(id);
  }

  /** Why `document` is not to be checked at all, by the order rules; `undefined` to check it. */
  skipReason(document: PayableDocument): SkipReason | undefined {
    const book = this.book(document.agreementId);
    if (document.kind === 'Invoice') return book.paid ? 'invoiced' : undefined;
    if (book.invoiced) return 'invoiced';
    const before = book.accepted.get(activityOf(document));
    return before !== undefined && document.amount.lessThan(before) ? 'superseded' : undefined;
  }

  /** `document` is being checked: from an invoice on, the agreement's debit notes are skipped. */
  takeUp(document: PayableDocument): void {
    if (document.kind === 'Invoice') this.book(document.agreementId).invoiced = true;
  }

  /** Records the sound counters of a debit note (the highest of each, as counters only grow). */
  reportUsage(document: PayableDocument, usage: readonly Decimal[]): void {
    const reported = this.book(document.agreementId).usage;
    const before = reported.get(activityOf(document));
    reported.set(
      activityOf(document),
      before === undefined || before.length !== usage.length
        ? usage
        : usage.map((value, i) => Decimal.max(value, before[i]!)),
    );
  }

  /** The counters the agreement's debit notes reported, per activity. */
  reportedUsage(agreementId: string): ReadonlyMap<string, readonly Decimal[]> {
    return this.book(agreementId).usage;
  }

  /** The debit notes accepted for an agreement: the sum of each activity's last total. */
  acceptedFor(agreementId: string): Decimal {
    let sum = new Decimal(0);
    for (const total of this.book(agreementId).accepted.values()) sum = sum.plus(total);
    return sum;
  }

  /** What was accepted for what `document` bills: its activity (debit note) or agreement (invoice). */
  acceptedBefore(document: PayableDocument): Decimal {
    return document.kind === 'DebitNote'
      ? (this.book(document.agreementId).accepted.get(activityOf(document)) ?? new Decimal(0))
      : this.acceptedFor(document.agreementId);
  }

  /** What accepting would charge, as yagna counts it: the amount over what was accepted before. */
  charge(document: PayableDocument): Decimal {
    return Decimal.max(0, document.amount.minus(this.acceptedBefore(document)));
  }

  commit(document: PayableDocument, charge: Decimal): void {
    this.accepted.add(document.id);
    this.spent = this.spent.plus(charge);
    const book = this.book(document.agreementId);
    if (document.kind === 'Invoice') {
      book.paid = true;
      return;
    }
    const before = book.accepted.get(activityOf(document));
    if (before === undefined || document.amount.greaterThan(before)) {
      book.accepted.set(activityOf(document), document.amount);
    }
  }

  /** A rejection that need not be made again (yagna recorded it, or answered 501). */
  rejection(id: string): RejectionOutcome | undefined {
    return this.rejections.get(id);
  }

  rejected(id: string, outcome: RejectionOutcome): void {
    if (outcome === 'rejected' || outcome === 'notImplemented') this.rejections.set(id, outcome);
  }

  /** The agreements billed whose invoice was not accepted. */
  unpaid(): string[] {
    return [...this.books].filter(([, book]) => !book.paid).map(([id]) => id);
  }
}
