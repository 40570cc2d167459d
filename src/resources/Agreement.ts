import {
  type Observable,
  catchError,
  defer,
  filter,
  map,
  of,
  retry,
  take,
  tap,
  throwError,
  timeout as rxTimeout,
  timer,
} from 'rxjs';
import type { AgreementDto, AgreementEventDto } from '../api/types/index.js';
import { ResourceChangePossible } from '../bus/events.js';
import { AgreementNotApprovedError, type AgreementOutcome } from '../errors/AgreementNotApprovedError.js';
import { type YagnaGoneError, isYagnaGoneError } from '../api/errors/YagnaGoneError.js';
import { isYagnaTimeoutError } from '../api/errors/YagnaTimeoutError.js';
import type { AgreementPort } from '../ports/index.js';
import { type CallResult, fromCall } from '../rx/fromCall.js';
import { type Action, action } from './Action.js';
import { Activity } from './Activity.js';
import { alongside } from '../rx/alongside.js';
import { createOrRelease, inBackground, onSuccess, tolerate, voidCall } from './internals.js';
import { Invoice } from './Invoice.js';
import type { Proposal } from './Proposal.js';
import { Resource } from './Resource.js';
import { retryTransient } from './retryTransient.js';

/** The default of {@link Agreement.waitForApproval}: 60 s, as golem-js. */
export const DEFAULT_APPROVAL_TIMEOUT_MS = 60_000;

/** The longest server-side wait of one `waitForApproval` request (it is re-issued on 408). */
const MAX_WAIT_PER_REQUEST_MS = 60_000;

/**
 * An agreement with one provider, made from a provider's draft (`proposal.createAgreement()`).
 * By id with `node.agreement(id)`. Its parent is that draft; its children are its activities and,
 * after termination, its invoice.
 *
 * The life: `createAgreement` (state `Proposal`) → `confirm()` (`Pending`) → `waitForApproval()`
 * (`Approved`) → `createActivity()` … → `terminate()`. It implements the operator port
 * {@link AgreementPort}. Data: `AgreementDto`; events: its raw agreement events (from
 * `node.agreementEvents$`). Closed when terminated, cancelled, rejected or expired (by us, by the
 * provider, or as found by `waitForApproval`).
 *
 * @example
 * ```ts
 * const agreement = await draft.createAgreement();
 * await agreement.confirm();
 * await agreement.waitForApproval();
 * const activity = await agreement.createActivity();
 * // …
 * await agreement.terminate('Finished');
 * const invoice = await firstValueFrom(agreement.invoice$);
 * ```
 */
export class Agreement extends Resource<AgreementDto, AgreementEventDto> implements AgreementPort<Activity> {
  /** The resource kind on the bus. */
  static readonly kind = 'Agreement';
  readonly kind = 'Agreement';

  private provider: string | undefined;
  private wasApproved = false;
  /** When this node sent the confirm (the node's scheduler), if it did. */
  private confirmedAt: number | undefined;

  protected fetchData(signal: AbortSignal): CallResult<AgreementDto> {
    return this.node.api.market.getAgreement(this.id, { signal });
  }

  /** The provider's node id (known from the draft it was made from, or from its data). */
  get providerId(): string {
    return this.provider ?? this.data.offer.providerId;
  }

  /** The draft it was made from (`undefined` for agreements made by id). */
  override get parent(): Proposal | undefined {
    return super.parent as Proposal | undefined;
  }

  /** Its activities and invoice. */
  override get children(): readonly (Activity | Invoice)[] {
    return super.children as readonly (Activity | Invoice)[];
  }

  /** The existing children, then new ones; completes after the invoice of a closed agreement. */
  override get children$(): Observable<Activity | Invoice> {
    return super.children$ as Observable<Activity | Invoice>;
  }

  /** Its activities. */
  get activities(): readonly Activity[] {
    return this.children.filter((child): child is Activity => child instanceof Activity);
  }

  /** Was it approved (as seen by this node)? */
  get approved(): boolean {
    return this.wasApproved;
  }

  /**
   * Signs the agreement and sends it to the provider (`POST /agreements/{id}/confirm`), with the
   * node's `appSessionId`, which scopes the node's agreement and payment events.
   *
   * @returns a cold, awaitable {@link Action} that completes when confirmed
   */
  confirm(): Action<void> {
    return action(
      defer(() => {
        this.confirmedAt ??= this.node.scheduler.now();
        return voidCall((signal) =>
          this.node.api.market.confirmAgreement(
            this.id,
            { appSessionId: this.node.appSessionId },
            { signal },
          ),
        );
      }),
    );
  }

  /**
   * Waits for the provider's decision (`POST /agreements/{id}/wait`), re-issuing the request on
   * 408 (still pending) until `timeout` ms of the node's scheduler have passed (then the request
   * in flight is aborted). Completes when
   * approved (and emits `ResourceChangePossible`). Errors with `AgreementNotApprovedError`: a 410
   * `Rejected`, `Cancelled` or expired (then the agreement is closed), or outcome `Timeout`.
   *
   * @param timeout how long to wait in ms @default 60000
   * @returns a cold, awaitable {@link Action}
   */
  waitForApproval(timeout: number = DEFAULT_APPROVAL_TIMEOUT_MS): Action<void> {
    return action(
      defer(() => {
        const { scheduler } = this.node;
        const deadline = scheduler.now() + timeout;
        let startedAt = scheduler.now();
        const attempt$ = defer(() => {
          const remainingMs = deadline - scheduler.now();
          if (remainingMs <= 0) return throwError(() => this.notApproved('Timeout'));
          startedAt = scheduler.now();
          const waitSec = Math.min(remainingMs, MAX_WAIT_PER_REQUEST_MS) / 1000;
          return voidCall((signal) =>
            this.node.api.market.waitForApproval(this.id, { timeout: waitSec }, { signal }),
          );
        });
        return attempt$.pipe(
          retry({
            delay: (error: unknown) => {
              if (!(isYagnaTimeoutError(error) && error.status === 408)) return throwError(() => error);
              const floor = this.node.config.poll.minIntervalMs;
              return timer(Math.max(0, floor - (scheduler.now() - startedAt)), scheduler);
            },
          }),
          catchError((error: unknown) => {
            if (!isYagnaGoneError(error)) return throwError(() => error);
            this.markClosed();
            return throwError(() => this.notApproved(outcomeOf(error), error));
          }),
          rxTimeout({ first: timeout, scheduler, with: () => throwError(() => this.notApproved('Timeout')) }),
          onSuccess(() => this.markApproved()),
        );
      }),
    );
  }

  /**
   * Withdraws the agreement before the provider decided (`POST /agreements/{id}/cancel`; states
   * `Proposal`, `Pending`). Closes the resource on success.
   *
   * @returns a cold, awaitable {@link Action} that completes when cancelled
   */
  cancel(reason = 'Cancelled by the requestor'): Action<void> {
    return action(
      defer(() =>
        voidCall((signal) =>
          this.node.api.market.cancelAgreement(this.id, { message: reason }, { signal }),
        ).pipe(onSuccess(() => this.markClosed())),
      ),
    );
  }

  /**
   * Ends an approved agreement (`POST /agreements/{id}/terminate` with `{ message: reason }`); the
   * provider then sends its invoice. A transient failure (5xx, 408, 429, the network) is retried
   * with backoff on the node's scheduler (`closeRetries` times, `backoff`). Tolerates an agreement
   * already terminated (410), which is also what a retry meets when the failed attempt did reach
   * yagna. Closes the resource on success.
   *
   * @returns a cold, awaitable {@link Action} that completes when terminated; errors with the
   *   last failure when the retries are spent
   */
  terminate(reason = 'Finished'): Action<void> {
    return action(
      defer(() =>
        voidCall((signal) =>
          this.node.api.market.terminateAgreement(this.id, { message: reason }, { signal }),
        ).pipe(
          retryTransient(this.node.config),
          tap({
            // Only an approved agreement can be terminated: one approved while we were
            // cancelling it (cancel answered 409/410) is known approved here, and gets paid.
            complete: () => {
              if (!this.closed) this.markApproved();
            },
          }),
          tolerate(isYagnaGoneError),
          onSuccess(() => this.markClosed()),
        ),
      ),
    );
  }

  /**
   * Creates an activity on this (approved) agreement (`POST /activity`); not deployed yet.
   * Unsubscribing while the request is in flight does not abort it: the activity it makes is
   * destroyed in the background instead of leaking.
   *
   * @param options `autoclose`: destroy it when the node closes (default `true`)
   * @returns a cold, awaitable {@link Action} of the {@link Activity} (a child of this agreement)
   */
  createActivity(options: { autoclose?: boolean } = {}): Action<Activity> {
    return action(
      defer(() =>
        createOrRelease(
          this.node,
          fromCall((signal) => this.node.api.activity.createActivity(this.id, {}, { signal })).pipe(
            map(({ activityId }) => {
              const activity = this.node.activity(activityId, this.id);
              if (options.autoclose ?? true) this.node.autoclose(activity);
              return activity;
            }),
          ),
          (activity) => inBackground(activity, 'destroy', activity.destroy()),
        ),
      ),
    );
  }

  /**
   * The agreement's invoice, once the provider sent it (after termination): emits it and
   * completes. Runs `node.invoices$` while subscribed; completes empty if no invoice can come (the agreement was
   * never approved, or the node closed).
   */
  get invoice$(): Observable<Invoice> {
    return alongside(
      this.children$.pipe(filter((child): child is Invoice => child instanceof Invoice)),
      this.node.invoices$,
    ).pipe(take(1));
  }

  /**
   * Records the provider the agreement is with.
   * @internal
   */
  setProvider(providerId: string): void {
    this.provider ??= providerId;
  }

  /**
   * Marks it approved and emits `ResourceChangePossible`; the node's payer takes it up when the
   * node made it.
   * @internal
   */
  markApproved(): void {
    if (this.wasApproved) return;
    this.wasApproved = true;
    this.node.events.emit(new ResourceChangePossible(this));
    // the node pays (and `close()` settles) the agreements it made, from their approval on
    this.node.agreementApproved(this);
  }

  /** An agreement never approved gets no invoice; its activities die with it. */
  protected override onClosed(): void {
    for (const activity of this.activities) activity.markClosed();
    if (!this.wasApproved || this.children.some((child) => child instanceof Invoice)) this.endChildren();
  }

  /** The invoice of a closed agreement is its last child. */
  protected override onChildAdded(child: Resource): void {
    if (child instanceof Invoice && this.closed) this.endChildren();
  }

  /**
   * The terms a bill is checked against: the offer's properties (linear pricing, usage vector,
   * cpu threads) and when the provider approved, in ms since the epoch (`undefined` until then).
   * For an agreement this node made and saw approved, these are known without a call: the
   * draft's properties, and the time the confirm was sent (no later than the approval). Otherwise
   * it reads the agreement afresh each time (a copy cached before approval has no `approvedDate`).
   * Cold; one value. This is what `acceptPayments` asks a debit note or an invoice for.
   */
  terms$(): Observable<AgreementTerms> {
    return defer(() => {
      // Made and approved through this node: the terms are the draft's properties, and approval
      // came after the confirm was sent (an earlier approval time only widens time bounds).
      const draft = this.parent;
      if (this.wasApproved && this.confirmedAt !== undefined && draft?.hasData === true)
        return of({ properties: draft.properties, approvedAt: this.confirmedAt });
      return this.fetchTerms$();
    });
  }

  private fetchTerms$(): Observable<AgreementTerms> {
    return this.load$().pipe(
      map((data) => ({
        properties: data.offer.properties,
        ...(data.approvedDate === undefined ? {} : { approvedAt: Date.parse(data.approvedDate) }),
      })),
    );
  }

  private notApproved(outcome: AgreementOutcome, cause?: unknown): AgreementNotApprovedError {
    const providerId = this.provider ?? (this.hasData ? this.data.offer.providerId : 'unknown');
    return new AgreementNotApprovedError({ agreementId: this.id, providerId, outcome }, { cause });
  }
}

/**
 * What a bill is checked against: the offer's properties (linear pricing, usage vector, cpu
 * threads) and when the provider approved, in ms since the epoch (absent until approved).
 */
export interface AgreementTerms {
  readonly properties: Readonly<Record<string, unknown>>;
  readonly approvedAt?: number;
}

function outcomeOf(error: YagnaGoneError): AgreementOutcome {
  const message = error.yagnaMessage ?? '';
  if (message === 'Cancelled') return 'Cancelled';
  if (/expired/i.test(message)) return 'Expired';
  return 'Rejected';
}
