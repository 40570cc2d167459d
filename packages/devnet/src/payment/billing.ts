/**
 * The payment behaviour of devnet's simulated providers (REQUESTOR-GUIDE §7): a debit note per
 * running activity at every negotiated interval, the agreement terminated with `DebitNotesDeadline`
 * when one is not accepted within the negotiated accept timeout, and an invoice after the
 * agreement ends. The faults `overpricedInvoice` and `noInvoice` act here.
 */
import { Decimal } from 'decimal.js';
import { Subscription, timer } from 'rxjs';
import type { ActivityFacade, AgreementView, DevnetContext, MarketFacade } from '../contracts.js';
import { toGlm } from './amounts.js';
import type { DebitNoteBook } from './debitNotes.js';
import type { DocumentOrigin } from './documents.js';
import type { InvoiceBook } from './invoices.js';
import { DEFAULT_INVOICE_DUE_SEC, linearCost, termsOf } from './terms.js';

/** The factor of `overpricedInvoice` when the fault does not set one. */
export const DEFAULT_OVERPRICE_FACTOR = 1.5;

/** Drives debit notes, deadlines and invoices from activity and agreement changes. */
export class ProviderBilling {
  private readonly subscriptions = new Subscription();
  /** Debit-note interval timers, per activity. */
  private readonly intervals = new Map<string, Subscription>();
  /** Accept-deadline timers, per agreement. */
  private readonly deadlines = new Map<string, Subscription>();
  private readonly endedActivities = new Set<string>();
  private readonly endedAgreements = new Set<string>();

  constructor(
    private readonly ctx: DevnetContext,
    private readonly market: MarketFacade,
    private readonly activities: ActivityFacade,
    private readonly debitNotes: DebitNoteBook,
    private readonly invoices: InvoiceBook,
  ) {}

  /** Starts listening to activities and agreements. */
  start(): void {
    this.subscriptions.add(
      this.activities.activityChanges$.subscribe({
        next: (change) => this.onActivity(change.activityId, change.agreementId, change.state),
        error: () => this.stopAll(),
      }),
    );
    this.subscriptions.add(
      this.market.agreementChanges$.subscribe({
        next: (agreement) => this.onAgreement(agreement),
        error: () => this.stopAll(),
      }),
    );
  }

  /** Stops every timer and subscription. */
  close(): void {
    this.stopAll();
    this.subscriptions.unsubscribe();
  }

  private stopAll(): void {
    for (const s of this.intervals.values()) s.unsubscribe();
    for (const s of this.deadlines.values()) s.unsubscribe();
    this.intervals.clear();
    this.deadlines.clear();
  }

  private onActivity(activityId: string, agreementId: string, state: string): void {
    if (state === 'Terminated') {
      this.endedActivities.add(activityId);
      this.intervals.get(activityId)?.unsubscribe();
      this.intervals.delete(activityId);
      return;
    }
    if (this.intervals.has(activityId) || this.endedActivities.has(activityId)) return;
    const agreement = this.market.getAgreement(agreementId);
    if (agreement?.state !== 'Approved') return;
    const { debitNoteIntervalMs } = termsOf(agreement);
    const interval = timer(debitNoteIntervalMs, debitNoteIntervalMs, this.ctx.scheduler).subscribe(() =>
      this.issueDebitNote(activityId, agreementId),
    );
    this.intervals.set(activityId, interval);
  }

  private onAgreement(agreement: AgreementView): void {
    if (agreement.state !== 'Terminated' || this.endedAgreements.has(agreement.agreementId)) return;
    this.endedAgreements.add(agreement.agreementId);
    for (const activityId of this.activities.activitiesOf(agreement.agreementId)) {
      this.intervals.get(activityId)?.unsubscribe();
      this.intervals.delete(activityId);
    }
    this.deadlines.get(agreement.agreementId)?.unsubscribe();
    this.deadlines.delete(agreement.agreementId);
    const provider = { id: agreement.providerId, name: agreement.providerName };
    if (this.ctx.faults.providerHas('noInvoice', provider) !== undefined) return;
    // Next turn of the scheduler: the activity module ends the agreement's activities first, so
    // the invoice sees their final usage.
    this.subscriptions.add(timer(0, this.ctx.scheduler).subscribe(() => this.issueInvoice(agreement)));
  }

  private origin(agreement: AgreementView): DocumentOrigin {
    const terms = termsOf(agreement);
    return {
      agreementId: agreement.agreementId,
      provider: { id: agreement.providerId, name: agreement.providerName },
      appSessionId: agreement.appSessionId,
      platform: terms.platform,
      payeeAddr: terms.payeeAddr,
    };
  }

  private issueDebitNote(activityId: string, agreementId: string): void {
    const agreement = this.market.getAgreement(agreementId);
    if (agreement?.state !== 'Approved') {
      this.intervals.get(activityId)?.unsubscribe();
      this.intervals.delete(activityId);
      return;
    }
    const terms = termsOf(agreement);
    const usage = this.activities.usageOf(activityId) ?? [];
    const note = this.debitNotes.issue({
      origin: this.origin(agreement),
      activityId,
      totalDue: linearCost(terms.coeffs, usage),
      usage,
      paymentDueMicros:
        terms.paymentTimeoutMs === undefined
          ? undefined
          : Math.floor(this.ctx.scheduler.now()) * 1000 + terms.paymentTimeoutMs * 1000,
    });
    if (terms.acceptTimeoutMs === undefined) return;
    const acceptSec = terms.acceptTimeoutMs / 1000;
    let bag = this.deadlines.get(agreementId);
    if (bag === undefined) {
      bag = new Subscription();
      this.deadlines.set(agreementId, bag);
    }
    const deadlines = bag;
    const deadline = timer(terms.acceptTimeoutMs, this.ctx.scheduler).subscribe(() => {
      deadlines.remove(deadline);
      if (this.debitNotes.isCovered(note.debitNoteId)) return;
      if (this.market.getAgreement(agreementId)?.state !== 'Approved') return;
      this.market.terminateByProvider(agreementId, {
        message: `Requestor didn't accept debit note [${note.debitNoteId}] within ${acceptSec}s.`,
        code: 'DebitNotesDeadline',
      });
    });
    deadlines.add(deadline);
  }

  private issueInvoice(agreement: AgreementView): void {
    const terms = termsOf(agreement);
    const activityIds = this.activities.activitiesOf(agreement.agreementId);
    let amount = new Decimal(0);
    for (const id of activityIds)
      amount = amount.plus(linearCost(terms.coeffs, this.activities.usageOf(id) ?? []));
    const provider = { id: agreement.providerId, name: agreement.providerName };
    const overpriced = this.ctx.faults.providerHas('overpricedInvoice', provider);
    if (overpriced !== undefined) amount = toGlm(amount.times(overpriced.factor ?? DEFAULT_OVERPRICE_FACTOR));
    this.invoices.issue({
      origin: this.origin(agreement),
      activityIds,
      amount,
      paymentDueMicros:
        Math.floor(this.ctx.scheduler.now()) * 1000 +
        (terms.paymentTimeoutMs ?? DEFAULT_INVOICE_DUE_SEC * 1000) * 1000,
    });
  }
}
