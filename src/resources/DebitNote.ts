import type { Decimal } from 'decimal.js';
import { type Observable, defer } from 'rxjs';
import type { AmountInput, DebitNoteData, DebitNoteEventData } from '../api/index.js';
import type { CallResult } from '../rx/fromCall.js';
import { type Action, action } from './Action.js';
import type { Activity } from './Activity.js';
import type { AgreementTerms } from './Agreement.js';
import type { Allocation } from './Allocation.js';
import { type DocumentRejection, acceptDocument, activityUsageOf, rejectDocument } from './internals.js';
import { Resource } from './Resource.js';
import { retryAccept } from './retryTransient.js';

/**
 * The provider's running bill for one activity (cumulative `totalAmountDue`), sent every
 * debit-note interval. Arrives on `node.debitNotes$` / `activity.debitNotes$`; by id with
 * `node.debitNote(id)`. Its parent is its activity (once its data is known). Accept each one
 * within the negotiated accept-timeout, or the provider terminates the agreement.
 *
 * @example
 * ```ts
 * activity.debitNotes$.pipe(concatMap((note) => note.accept(allocation))).subscribe({ error: console.error });
 * ```
 */
export class DebitNote extends Resource<DebitNoteData, DebitNoteEventData> {
  /** The resource kind on the bus. */
  static readonly kind = 'DebitNote';
  readonly kind = 'DebitNote';

  protected fetchData(signal: AbortSignal): CallResult<DebitNoteData> {
    return this.node.api.payment.getDebitNote(this.id, { signal });
  }

  /** The activity it bills (`undefined` until its data is known). */
  override get parent(): Activity | undefined {
    return super.parent as Activity | undefined;
  }

  /** The total due for its activity so far (needs data). */
  get totalAmountDue(): Decimal {
    return this.data.totalAmountDue;
  }

  /** The amount due: the cumulative `totalAmountDue` of its activity (needs data). */
  get amount(): Decimal {
    return this.data.totalAmountDue;
  }

  /** The agreement it bills (needs data). */
  get agreementId(): string {
    return this.data.agreementId;
  }

  /** The activity it bills (needs data). */
  get activityId(): string {
    return this.data.activityId;
  }

  /** Its usage counters, in the order of the agreement's usage vector (needs data). */
  get usage(): readonly number[] | undefined {
    return this.data.usageCounterVector;
  }

  /**
   * The billed agreement's terms (offer properties, approval time), read afresh: what
   * `acceptPayments` checks the amount against. Cold; one value.
   */
  agreementTerms(): Observable<AgreementTerms> {
    return defer(() => this.node.agreement(this.agreementId).terms$());
  }

  /**
   * Accepts the debit note against `allocation` (`POST /debitNotes/{id}/accept`). yagna requires
   * the accepted amount to equal `totalAmountDue`, which is the default (fetched if not cached).
   * A transient failure (5xx, 408, 429, the network) is retried with backoff on the node's
   * scheduler (`closeRetries` times); should a retry meet a 400/409, the debit note is read again
   * and the accept counts as done when it is `ACCEPTED`/`SETTLED` for this amount.
   * Emits `ResourceChangePossible` for the debit note and the allocation on success.
   *
   * @param allocation the allocation to pay from
   * @param amount the amount to accept
   * @returns a cold, awaitable {@link Action} that completes when yagna accepted it
   */
  accept(allocation: Allocation, amount?: AmountInput): Action<void> {
    const once$ = acceptDocument(
      this,
      allocation,
      amount,
      () => this.data.totalAmountDue,
      (acceptance, signal) => this.node.api.payment.acceptDebitNote(this.id, acceptance, {}, { signal }),
    );
    return action(retryAccept(this, allocation, amount, (data) => data.totalAmountDue, once$));
  }
  /**
   * The current usage counters of `activityId` (`GET /activity/{id}/usage`), or `undefined`
   * when yagna does not know the activity or reports none: the usage `acceptPayments` prices
   * this debit note against (its `activityUsage` port). Cold; one value.
   */
  activityUsage(activityId: string): Observable<readonly number[] | undefined> {
    return activityUsageOf(this.node, activityId);
  }

  /**
   * Rejects the debit note (`POST …/reject`), saying what was accepted instead and why. Real yagna
   * answers 501 (`YagnaNotImplementedError`), so a refusal is mostly recorded on our side; the
   * `reject` port of `acceptPayments`. Not retried.
   *
   * @param rejection the reason (`INCORRECT_AMOUNT`), the amount accepted, a message
   * @returns a cold, awaitable {@link Action} that completes when yagna took the rejection
   */
  reject(rejection: DocumentRejection): Action<void> {
    return rejectDocument(this, rejection, (wire, signal) =>
      this.node.api.payment.rejectDebitNote(this.id, wire, {}, { signal }),
    );
  }
}
