/**
 * How the simulated providers of the in-memory yagna behave: how long each call takes (virtual
 * milliseconds on the yagna's scheduler) and how it ends. And the counters of what was spent.
 *
 * @module
 */

/** How a provider answers a counter-proposal: with a draft, a rejection, or never. */
export type CounterOutcome = 'accept' | 'reject' | 'silent';
/** How a provider decides on a confirmed agreement: approves, rejects, or never decides. */
export type ApprovalOutcome = 'approve' | 'reject' | 'never';
/** How an activity goes: created and started, not created, or created but failing to deploy. */
export type ActivityOutcome = 'start' | 'failCreate' | 'failDeploy';

/**
 * An outcome, or a function of the attempt number (1 for the provider's first call of that kind,
 * 2 for the second, …), e.g. `(n) => (n === 1 ? 'reject' : 'accept')`.
 */
export type Outcome<O extends string> = O | ((attempt: number) => O);

/** How long each call takes, in milliseconds of the yagna's scheduler (virtual in `TestScheduler.run`). */
export interface CallTimes {
  /** A counter-proposal until the provider's answer. @default 2 */
  readonly respond: number;
  /** Creating an agreement from a draft. @default 1 */
  readonly createAgreement: number;
  /** Confirming (signing) it. @default 1 */
  readonly confirm: number;
  /** From `waitForApproval` to the provider's decision. @default 1 */
  readonly approval: number;
  /** Creating an activity. @default 1 */
  readonly createActivity: number;
  /** Deploying and starting it. @default 1 */
  readonly deploy: number;
  /** Every cleanup call: reject, cancel, terminate, destroy. @default 0 */
  readonly cleanup: number;
}

/** A provider's behaviour, resolved. */
export interface ProviderBehaviour {
  readonly times: CallTimes;
  readonly counter: Outcome<CounterOutcome>;
  readonly approval: Outcome<ApprovalOutcome>;
  readonly activity: Outcome<ActivityOutcome>;
}

/** A provider's behaviour as given: every field has a default (accept, approve, start). */
export interface ProviderBehaviourInit {
  readonly times?: Partial<CallTimes>;
  /** @default 'accept' */
  readonly counter?: Outcome<CounterOutcome>;
  /** @default 'approve' */
  readonly approval?: Outcome<ApprovalOutcome>;
  /** @default 'start' */
  readonly activity?: Outcome<ActivityOutcome>;
}

/** The default call times. */
export const DEFAULT_CALL_TIMES: CallTimes = {
  respond: 2,
  createAgreement: 1,
  confirm: 1,
  approval: 1,
  createActivity: 1,
  deploy: 1,
  cleanup: 0,
};

/** Merges behaviours: later ones override earlier ones, `times` field by field. */
export function resolveBehaviour(
  ...inits: readonly (ProviderBehaviourInit | undefined)[]
): ProviderBehaviour {
  let times: CallTimes = DEFAULT_CALL_TIMES;
  let counter: Outcome<CounterOutcome> = 'accept';
  let approval: Outcome<ApprovalOutcome> = 'approve';
  let activity: Outcome<ActivityOutcome> = 'start';
  for (const init of inits) {
    if (!init) continue;
    times = { ...times, ...init.times };
    counter = init.counter ?? counter;
    approval = init.approval ?? approval;
    activity = init.activity ?? activity;
  }
  for (const [name, ms] of Object.entries(times)) {
    if (!(Number.isFinite(ms) && ms >= 0)) {
      throw new RangeError(`in-memory yagna: times.${name} must be a finite number >= 0, got ${String(ms)}`);
    }
  }
  return { times, counter, approval, activity };
}

/** The outcome of attempt `attempt`. */
export function outcomeOf<O extends string>(outcome: Outcome<O>, attempt: number): O {
  return typeof outcome === 'function' ? outcome(attempt) : outcome;
}

/**
 * What the in-memory yagna counted: what was spent on the market (counters sent, agreements
 * signed, activities created) and how it ended. A live object: read it after the run.
 */
export interface InMemoryYagnaStats {
  /** Offer proposals published. */
  offers: number;
  /** Counter-proposals sent (`respond` subscribed). */
  countersSent: number;
  /** Counter-proposals the provider answered with a draft. */
  countersAnswered: number;
  /** Counter-proposals the provider rejected. */
  countersRejected: number;
  /** Counter-proposals in flight now. */
  countersInFlight: number;
  /** The most counter-proposals ever in flight at once. */
  maxCountersInFlight: number;
  /** Offer proposals we rejected. */
  proposalsRejected: number;
  /** Drafts we rejected. */
  draftsRejected: number;
  /** Agreements created from drafts. */
  agreementsCreated: number;
  /** Agreements confirmed (signed and sent to the provider). */
  agreementsConfirmed: number;
  /** Agreements the provider approved. */
  agreementsApproved: number;
  /** Agreements the provider rejected or never decided on (until the wait timed out). */
  agreementsNotApproved: number;
  /** Agreements we cancelled before approval. */
  agreementsCancelled: number;
  /** Approved agreements terminated. */
  agreementsTerminated: number;
  /** Activities created. */
  activitiesCreated: number;
  /** Activities deployed and started. */
  activitiesStarted: number;
  /** Activities that failed to be created or to deploy. */
  activitiesFailed: number;
  /** Activities destroyed. */
  activitiesDestroyed: number;
  /** Calls unsubscribed before they finished (aborted, as an HTTP call would be). */
  callsAborted: number;
}

/** Fresh counters, all 0. */
export function emptyStats(): InMemoryYagnaStats {
  return {
    offers: 0,
    countersSent: 0,
    countersAnswered: 0,
    countersRejected: 0,
    countersInFlight: 0,
    maxCountersInFlight: 0,
    proposalsRejected: 0,
    draftsRejected: 0,
    agreementsCreated: 0,
    agreementsConfirmed: 0,
    agreementsApproved: 0,
    agreementsNotApproved: 0,
    agreementsCancelled: 0,
    agreementsTerminated: 0,
    activitiesCreated: 0,
    activitiesStarted: 0,
    activitiesFailed: 0,
    activitiesDestroyed: 0,
    callsAborted: 0,
  };
}
