/**
 * The resources of the in-memory yagna: offer proposals, drafts, agreements and activities that
 * implement the operator ports, each call a cold Observable that ends after its call time on the
 * yagna's scheduler, with the provider's configured outcome. Unsubscribing a call before it ends
 * cancels it (counted as aborted) and changes nothing.
 *
 * @module
 */
import { Observable } from 'rxjs';
import { AgreementNotApprovedError } from '../errors/AgreementNotApprovedError.js';
import { ProposalRejectedError } from '../resources/errors/ProposalRejectedError.js';
import { SimulatedFailureError } from '../errors/SimulatedFailureError.js';
import type { ActivityPort, AgreementPort, DraftProposal, OfferProposal } from '../ports/index.js';
import {
  type ActivityOutcome,
  type ApprovalOutcome,
  type ProviderBehaviour,
  outcomeOf,
} from './inMemoryBehaviour.js';
import { type YagnaContext, simulate } from './inMemoryCall.js';

/** A simulated provider. */
export interface InMemoryProvider {
  /** Its node id. */
  readonly id: string;
  /** Its name (`golem.node.id.name`). */
  readonly name: string;
  /** Its offer's properties. */
  readonly properties: Readonly<Record<string, unknown>>;
  /** How it behaves. */
  readonly behaviour: ProviderBehaviour;
  /** When its offer appears on `yagna.proposals$`, ms after subscription. */
  readonly offerAt: number;
  /** Its offer's expiry, ms since the epoch of the scheduler's clock (absent: never). */
  readonly expiresAt: number | undefined;
  /** A new offer proposal from this provider (each call: a new proposal id). */
  propose(): InMemoryOfferProposal;
}

/** How many calls of each kind a provider has had, for attempt-dependent outcomes. */
export interface Attempts {
  counter: number;
  approval: number;
  activity: number;
}

/** An offer proposal of the in-memory yagna. */
export class InMemoryOfferProposal implements OfferProposal<InMemoryDraft> {
  readonly providerId: string;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly expiresAt?: number;
  private drafts = 0;

  constructor(
    /** Its id. */
    readonly id: string,
    /** The provider it comes from. */
    readonly provider: InMemoryProvider,
    private readonly context: YagnaContext,
    /** The provider's call counts, shared by its proposals (for attempt-dependent outcomes). */
    readonly attempts: Attempts,
  ) {
    this.providerId = provider.id;
    this.properties = provider.properties;
    if (provider.expiresAt !== undefined) this.expiresAt = provider.expiresAt;
  }

  /** Sends a counter-proposal: after `times.respond`, a draft or `ProposalRejectedError`. */
  respond(): Observable<InMemoryDraft> {
    return new Observable<InMemoryDraft>((subscriber) => {
      const { stats } = this.context;
      stats.countersSent++;
      stats.countersInFlight++;
      stats.maxCountersInFlight = Math.max(stats.maxCountersInFlight, stats.countersInFlight);
      const outcome = outcomeOf(this.provider.behaviour.counter, ++this.attempts.counter);
      const delay = outcome === 'silent' ? undefined : this.provider.behaviour.times.respond;
      return simulate(
        this.context,
        delay,
        () => {
          if (outcome === 'reject') {
            stats.countersRejected++;
            throw new ProposalRejectedError({
              proposalId: this.id,
              providerId: this.providerId,
              reason: 'Rejected by the simulated provider',
              isFinal: false,
            });
          }
          stats.countersAnswered++;
          return new InMemoryDraft(`${this.id}-draft-${++this.drafts}`, this, this.context);
        },
        { onEnd: () => stats.countersInFlight-- },
      ).subscribe(subscriber);
    });
  }

  /** Rejects the offer. */
  reject(): Observable<void> {
    return simulate(this.context, this.provider.behaviour.times.cleanup, () => {
      this.context.stats.proposalsRejected++;
    });
  }
}

/** A draft (the provider's answer to a counter-proposal) of the in-memory yagna. */
export class InMemoryDraft implements DraftProposal<InMemoryAgreement> {
  readonly providerId: string;
  readonly properties: Readonly<Record<string, unknown>>;

  constructor(
    /** Its id. */
    readonly id: string,
    /** The offer it answers. */
    readonly offer: InMemoryOfferProposal,
    private readonly context: YagnaContext,
  ) {
    this.providerId = offer.providerId;
    this.properties = offer.properties;
  }

  /**
   * Creates an agreement (state `Proposal`) after `times.createAgreement`. Unsubscribing does not
   * abort it: the agreement is created and cancelled at once, as the real resources do.
   */
  createAgreement(options: { validTo?: number } = {}): Observable<InMemoryAgreement> {
    return simulate(
      this.context,
      this.offer.provider.behaviour.times.createAgreement,
      () => {
        const agreement = new InMemoryAgreement(
          this.context.nextId('agreement'),
          this,
          options.validTo,
          this.context,
        );
        this.context.stats.agreementsCreated++;
        this.context.agreements.push(agreement);
        return agreement;
      },
      { release: (agreement) => agreement.release() },
    );
  }

  /** Rejects the draft. */
  reject(): Observable<void> {
    return simulate(this.context, this.offer.provider.behaviour.times.cleanup, () => {
      this.context.stats.draftsRejected++;
    });
  }
}

/** The states of an in-memory agreement. */
export type InMemoryAgreementState =
  'Proposal' | 'Pending' | 'Approved' | 'Rejected' | 'Cancelled' | 'Terminated';

/** An agreement of the in-memory yagna, with yagna's state machine. */
export class InMemoryAgreement implements AgreementPort<InMemoryActivity> {
  readonly providerId: string;
  /** Its state. */
  state: InMemoryAgreementState = 'Proposal';
  private decision: ApprovalOutcome | undefined;

  constructor(
    /** Its id. */
    readonly id: string,
    /** The draft it was made from. */
    readonly draft: InMemoryDraft,
    /** The `validTo` it was created with (ms since the epoch), if any. */
    readonly validTo: number | undefined,
    private readonly context: YagnaContext,
  ) {
    this.providerId = draft.providerId;
  }

  private get provider(): InMemoryProvider {
    return this.draft.offer.provider;
  }

  private fail(operation: string, detail: string): SimulatedFailureError {
    return new SimulatedFailureError({ operation, resourceId: this.id, detail });
  }

  /** `Proposal` → `Pending` after `times.confirm`. */
  confirm(): Observable<void> {
    return simulate(this.context, this.provider.behaviour.times.confirm, () => {
      if (this.state !== 'Proposal') throw this.fail('confirm', `agreement is ${this.state}`);
      this.state = 'Pending';
      this.context.stats.agreementsConfirmed++;
    });
  }

  /**
   * The provider's decision after `times.approval`: approved (`Approved`), or
   * `AgreementNotApprovedError` (`Rejected`); a provider that never decides lets it fail with
   * outcome `Timeout` after `timeout` ms. The decision is taken once per agreement.
   */
  waitForApproval(timeout: number): Observable<void> {
    return new Observable<void>((subscriber) => {
      if (this.state === 'Approved') {
        subscriber.complete();
        return undefined;
      }
      if (this.state !== 'Pending') {
        subscriber.error(this.notApproved(this.state === 'Cancelled' ? 'Cancelled' : 'Rejected'));
        return undefined;
      }
      const { behaviour } = this.provider;
      this.decision ??= outcomeOf(behaviour.approval, ++this.draft.offer.attempts.approval);
      const decision = this.decision;
      return simulate(this.context, decision === 'never' ? timeout : behaviour.times.approval, () => {
        if (this.state !== 'Pending') throw this.notApproved('Cancelled');
        if (decision === 'approve') {
          this.state = 'Approved';
          this.context.stats.agreementsApproved++;
          return;
        }
        this.context.stats.agreementsNotApproved++;
        if (decision === 'reject') {
          this.state = 'Rejected';
          throw this.notApproved('Rejected');
        }
        throw this.notApproved('Timeout');
      }).subscribe(subscriber);
    });
  }

  private notApproved(outcome: 'Rejected' | 'Cancelled' | 'Timeout'): AgreementNotApprovedError {
    return new AgreementNotApprovedError({ agreementId: this.id, providerId: this.providerId, outcome });
  }

  /** Cancels it at once (an abandoned `createAgreement`). */
  release(): void {
    this.state = 'Cancelled';
    this.context.stats.agreementsCancelled++;
  }

  /** `Proposal` / `Pending` → `Cancelled`; fails on an approved agreement (terminate it instead). */
  cancel(): Observable<void> {
    return simulate(this.context, this.provider.behaviour.times.cleanup, () => {
      if (this.state !== 'Proposal' && this.state !== 'Pending') {
        throw this.fail('cancel', `agreement is ${this.state}`);
      }
      this.state = 'Cancelled';
      this.context.stats.agreementsCancelled++;
    });
  }

  /** `Approved` → `Terminated` (already terminated: no-op); fails in other states. */
  terminate(): Observable<void> {
    return simulate(this.context, this.provider.behaviour.times.cleanup, () => {
      if (this.state === 'Terminated') return;
      if (this.state !== 'Approved') throw this.fail('terminate', `agreement is ${this.state}`);
      this.state = 'Terminated';
      this.context.stats.agreementsTerminated++;
    });
  }

  /**
   * Creates an activity after `times.createActivity` (the agreement must be approved).
   * Unsubscribing does not abort it: the activity is created and destroyed at once, as the real
   * resources do.
   */
  createActivity(): Observable<InMemoryActivity> {
    return simulate(
      this.context,
      this.provider.behaviour.times.createActivity,
      () => {
        if (this.state !== 'Approved') throw this.fail('createActivity', `agreement is ${this.state}`);
        const outcome = outcomeOf(this.provider.behaviour.activity, ++this.draft.offer.attempts.activity);
        if (outcome === 'failCreate') {
          this.context.stats.activitiesFailed++;
          throw this.fail('createActivity', 'the exe-unit could not be created');
        }
        const activity = new InMemoryActivity(this.context.nextId('activity'), this, outcome, this.context);
        this.context.stats.activitiesCreated++;
        this.context.activities.push(activity);
        return activity;
      },
      { release: (activity) => activity.release() },
    );
  }
}

/** The states of an in-memory activity. */
export type InMemoryActivityState = 'New' | 'Ready' | 'Failed' | 'Destroyed';

/** An activity of the in-memory yagna. */
export class InMemoryActivity implements ActivityPort {
  /** Its state. */
  state: InMemoryActivityState = 'New';

  constructor(
    /** Its id. */
    readonly id: string,
    /** Its agreement. */
    readonly agreement: InMemoryAgreement,
    private readonly outcome: ActivityOutcome,
    private readonly context: YagnaContext,
  ) {}

  /** `New` → `Ready` after `times.deploy`, or a `SimulatedFailureError` (`failDeploy`). */
  deployAndStart(): Observable<void> {
    return simulate(this.context, this.agreement.draft.offer.provider.behaviour.times.deploy, () => {
      if (this.state !== 'New') {
        throw new SimulatedFailureError({
          operation: 'deployAndStart',
          resourceId: this.id,
          detail: `activity is ${this.state}`,
        });
      }
      if (this.outcome === 'failDeploy') {
        this.state = 'Failed';
        this.context.stats.activitiesFailed++;
        throw new SimulatedFailureError({
          operation: 'deployAndStart',
          resourceId: this.id,
          detail: 'deploy failed',
        });
      }
      this.state = 'Ready';
      this.context.stats.activitiesStarted++;
    });
  }

  /** Destroys it at once (an abandoned `createActivity`). */
  release(): void {
    this.state = 'Destroyed';
    this.context.stats.activitiesDestroyed++;
  }

  /** → `Destroyed`. */
  destroy(): Observable<void> {
    return simulate(this.context, this.agreement.draft.offer.provider.behaviour.times.cleanup, () => {
      if (this.state === 'Destroyed') return;
      this.state = 'Destroyed';
      this.context.stats.activitiesDestroyed++;
    });
  }
}
