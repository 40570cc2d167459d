/**
 * Agreements (M9–M17): created from a provider's Draft, confirmed with an `appSessionId`,
 * approved or rejected by the simulated provider after a short seeded delay, cancelled or
 * terminated by the requestor, terminated by the provider (its own reasons, or the agreement's
 * `golem.srv.comp.expiration`). Every decision is logged for `GET /agreementEvents`.
 */
import { Subject, type Observable, type Subscription } from 'rxjs';
import type { AgreementState, AgreementTerminationReasonDto, ReasonDto, Terminator } from 'golem-rx';
import { parseRfc3339Micros } from '../clock.js';
import type { AgreementView } from '../contracts.js';
import { DevnetHttpError } from '../errors/DevnetHttpError.js';
import { MAX_TIMER_MS } from '../http.js';
import { newHashId, isHashId } from '../random.js';
import { rejection } from '../providers/negotiator.js';
import { AgreementLog } from './agreementLog.js';
import type { MarketCore } from './core.js';
import type { AgreementRecord } from './records.js';

/** Every agreement state, in lifecycle order (stats keys). */
export const AGREEMENT_STATES: readonly AgreementState[] = [
  'Proposal',
  'Pending',
  'Approved',
  'Rejected',
  'Cancelled',
  'Expired',
  'Terminated',
];

/** What `waitForApproval` answers once the provider has decided (or the agreement is done). */
export type WaitAnswer = { readonly status: 204 } | { readonly status: 400 | 410; readonly message: string };

/** The agreements of the requestor and their event log. */
export class AgreementBook {
  readonly agreements = new Map<string, AgreementRecord>();
  readonly log = new AgreementLog();
  private readonly changes = new Subject<AgreementView>();
  private readonly approvedPerProvider = new Map<string, number>();
  private readonly expiryTimers = new Map<string, Subscription>();

  /** Every state change, hot. */
  readonly changes$: Observable<AgreementView> = this.changes.asObservable();

  constructor(private readonly core: MarketCore) {}

  /**
   * Creates an agreement from a provider's Draft (M10).
   *
   * @throws DevnetHttpError 400 (not a provider Draft, Initial, rejected, countered, bad body),
   *   404 unknown proposal, 409 already promoted.
   */
  create(proposalId: unknown, validTo: unknown): AgreementRecord {
    if (typeof proposalId !== 'string' || typeof validTo !== 'string') {
      throw new DevnetHttpError(400, 'Expected {"proposalId": string, "validTo": RFC 3339 string}');
    }
    const validToMicros = parseRfc3339Micros(validTo);
    if (validToMicros === undefined) throw new DevnetHttpError(400, `Invalid validTo: ${validTo}`);
    if (!isHashId(proposalId)) throw new DevnetHttpError(400, `Invalid proposal id [${proposalId}]`);
    const draft = this.core.proposals.get(proposalId);
    if (draft === undefined) throw new DevnetHttpError(404, `Proposal [${proposalId}] not found.`);
    if (draft.issuer === 'requestor') {
      throw new DevnetHttpError(400, `Can't create Agreement from own Proposal [${proposalId}].`);
    }
    if (draft.state === 'Initial') {
      throw new DevnetHttpError(
        400,
        `No negotiation with Provider took place. (You should counter Proposal [${proposalId}] at least one time)`,
      );
    }
    if (draft.state === 'Accepted') {
      throw new DevnetHttpError(409, `Proposal [${proposalId}] was already promoted to an Agreement.`);
    }
    if (draft.state !== 'Draft')
      throw new DevnetHttpError(400, `Proposal [${proposalId}] is ${draft.state}.`);
    if (draft.countered) {
      throw new DevnetHttpError(
        400,
        `Proposal [${proposalId}] was countered; use the provider's latest Draft.`,
      );
    }
    const ours =
      draft.prevProposalId === undefined ? undefined : this.core.proposals.get(draft.prevProposalId);
    if (ours === undefined)
      throw new DevnetHttpError(400, `Proposal [${proposalId}] has no counter-proposal of ours.`);
    draft.state = 'Accepted';
    const agreement: AgreementRecord = {
      id: newHashId(this.core.ctx.random),
      demandId: draft.demandId,
      provider: draft.provider,
      demandProposal: ours,
      offerProposal: draft,
      validToMs: Math.floor(validToMicros / 1000),
      created: this.core.clock.stamp(),
      state: 'Proposal',
    };
    this.agreements.set(agreement.id, agreement);
    return agreement;
  }

  /**
   * An agreement by id, its expiry (validTo) applied.
   *
   * @throws DevnetHttpError 400 malformed id, 404 unknown.
   */
  get(id: string): AgreementRecord {
    if (!isHashId(id)) throw new DevnetHttpError(400, `Invalid agreement id [${id}]`);
    const agreement = this.agreements.get(id);
    if (agreement === undefined) throw new DevnetHttpError(404, `Agreement [${id}] not found.`);
    this.refresh(agreement);
    return agreement;
  }

  /** Moves a Proposal/Pending agreement whose validTo has passed to Expired. */
  refresh(a: AgreementRecord): void {
    if ((a.state === 'Proposal' || a.state === 'Pending') && this.core.clock.nowMs() >= a.validToMs) {
      a.state = 'Expired';
      this.changes.next(this.view(a));
    }
  }

  /**
   * Confirms (M12): signs and sends to the provider, who decides after a short delay.
   *
   * @throws DevnetHttpError 410 unless in state Proposal.
   */
  confirm(id: string, appSessionId: string | undefined): void {
    const a = this.get(id);
    if (a.state !== 'Proposal') throw illegal(a, 'confirmed');
    a.state = 'Pending';
    if (appSessionId !== undefined && appSessionId !== '') a.appSessionId = appSessionId;
    this.changes.next(this.view(a));
    this.core.schedule(this.core.delay(this.core.settings.approvalDelayMs), () => this.providerDecides(a));
  }

  /** What `waitForApproval` answers now, or `undefined` while the provider has not decided. */
  waitAnswer(a: AgreementRecord): WaitAnswer | undefined {
    this.refresh(a);
    switch (a.state) {
      case 'Pending':
        return undefined;
      case 'Approved':
        return { status: 204 };
      case 'Rejected':
        return { status: 410, message: 'Rejected' };
      case 'Cancelled':
        return { status: 410, message: 'Cancelled' };
      case 'Expired':
        return { status: 410, message: `Agreement [${a.id}] expired.` };
      case 'Proposal':
        return { status: 400, message: `Agreement [${a.id}] not confirmed yet.` };
      case 'Terminated':
        return { status: 400, message: `Agreement [${a.id}] already terminated.` };
    }
  }

  /**
   * Cancels (M14) before the provider decided.
   *
   * @throws DevnetHttpError 410 unless in state Proposal or Pending.
   */
  cancel(id: string, reason: ReasonDto | undefined): void {
    const a = this.get(id);
    if (a.state !== 'Proposal' && a.state !== 'Pending') throw illegal(a, 'cancelled', 410);
    this.closeUndecided(a, 'Cancelled', reason);
  }

  /**
   * Terminates (M15) an Approved agreement as the requestor.
   *
   * @throws DevnetHttpError 409 in state Proposal, 410 in any other non-Approved state.
   */
  terminate(id: string, reason: ReasonDto | undefined): void {
    const a = this.get(id);
    if (a.state !== 'Approved') throw illegal(a, 'terminated');
    this.end(a, 'Requestor', reason);
  }

  /** The provider terminates an Approved agreement; a no-op in any other state. */
  terminateByProvider(id: string, reason: { message: string; code: string }): void {
    const a = this.agreements.get(id);
    if (a === undefined || a.state !== 'Approved') return;
    this.end(a, 'Provider', { message: reason.message, 'golem.provider.code': reason.code });
  }

  /** Approved agreements a provider holds now. */
  activeCount(providerId: string): number {
    return this.approvedPerProvider.get(providerId) ?? 0;
  }

  /** The read-only view the activity and payment modules get. */
  view(a: AgreementRecord): AgreementView {
    return {
      agreementId: a.id,
      state: a.state,
      requestorId: this.core.ctx.requestorId,
      providerId: a.provider.id,
      providerName: a.provider.name,
      demandProperties: a.demandProposal.properties,
      offerProperties: a.offerProposal.properties,
      ...(a.appSessionId === undefined ? {} : { appSessionId: a.appSessionId }),
      ...(a.approvedAtMs === undefined ? {} : { approvedAt: a.approvedAtMs }),
    };
  }

  /** Agreements per state (expiry applied). */
  countByState(): Record<AgreementState, number> & { total: number } {
    const counts = { total: this.agreements.size } as Record<AgreementState, number> & { total: number };
    for (const s of AGREEMENT_STATES) counts[s] = 0;
    for (const a of this.agreements.values()) {
      this.refresh(a);
      counts[a.state] += 1;
    }
    return counts;
  }

  /** Completes the change stream and the log. */
  close(): void {
    this.changes.complete();
    this.log.close();
  }

  private providerDecides(a: AgreementRecord): void {
    this.refresh(a);
    if (a.state !== 'Pending') return;
    const provider = a.provider;
    const faults = this.core.ctx.faults;
    if (faults.providerHas('neverApprove', provider) !== undefined) return;
    if (faults.providerHas('rejectAgreement', provider) !== undefined) {
      this.reject(a, rejection('Provider rejected the Agreement (devnet fault rejectAgreement)', true));
      return;
    }
    const limit = this.core.settings.maxAgreementsPerProvider;
    if (this.activeCount(provider.id) >= limit) {
      this.reject(a, rejection(`No capacity available. Reached Agreements limit: ${limit}`, false));
      return;
    }
    const stamp = this.core.clock.stamp();
    a.state = 'Approved';
    a.approvedAtMs = Math.floor(stamp.micros / 1000);
    a.approvedDate = stamp.iso;
    this.approvedPerProvider.set(provider.id, this.activeCount(provider.id) + 1);
    this.log.append(stamp, a.appSessionId, {
      eventType: 'AgreementApprovedEvent',
      eventDate: stamp.iso,
      agreementId: a.id,
    });
    this.changes.next(this.view(a));
    const expiration = a.demandProposal.properties['golem.srv.comp.expiration'];
    const untilExpiration = typeof expiration === 'number' ? expiration - this.core.clock.nowMs() : Infinity;
    if (typeof expiration === 'number' && untilExpiration <= MAX_TIMER_MS) {
      const at = new Date(expiration).toISOString();
      const timer = this.core.schedule(untilExpiration, () =>
        this.terminateByProvider(a.id, { message: `Agreement expired @ ${at}`, code: 'Expired' }),
      );
      this.expiryTimers.set(a.id, timer);
    }
  }

  private reject(a: AgreementRecord, reason: ReasonDto): void {
    this.closeUndecided(a, 'Rejected', reason);
  }

  /**
   * Closes an agreement before it was approved (cancelled by the requestor, rejected by the
   * provider): sets the state and reason, logs `Agreement{state}Event` (with the reason when
   * there is one) and announces the change.
   */
  private closeUndecided(
    a: AgreementRecord,
    state: 'Cancelled' | 'Rejected',
    reason: ReasonDto | undefined,
  ): void {
    a.state = state;
    a.reason = reason;
    const stamp = this.core.clock.stamp();
    this.log.append(stamp, a.appSessionId, {
      eventType: `Agreement${state}Event` as const,
      eventDate: stamp.iso,
      agreementId: a.id,
      ...(reason === undefined ? {} : { reason }),
    });
    this.changes.next(this.view(a));
  }

  private end(a: AgreementRecord, terminator: Terminator, reason: ReasonDto | undefined): void {
    a.state = 'Terminated';
    this.approvedPerProvider.set(a.provider.id, Math.max(0, this.activeCount(a.provider.id) - 1));
    this.expiryTimers.get(a.id)?.unsubscribe();
    this.expiryTimers.delete(a.id);
    const stamp = this.core.clock.stamp();
    const termination: AgreementTerminationReasonDto = {
      eventDate: stamp.iso,
      agreementId: a.id,
      terminator,
      signature: '',
      ...(reason === undefined ? {} : { reason }),
    };
    a.termination = termination;
    this.log.append(stamp, a.appSessionId, { eventType: 'AgreementTerminatedEvent', ...termination });
    this.changes.next(this.view(a));
  }
}

/** yagna's rule for an illegal transition: 409 from state Proposal, 410 from any other. */
function illegal(a: AgreementRecord, what: string, fromProposal: 409 | 410 = 409): DevnetHttpError {
  const status = a.state === 'Proposal' ? fromProposal : 410;
  return new DevnetHttpError(status, `Agreement [${a.id}] in state ${a.state} can't be ${what}.`);
}
