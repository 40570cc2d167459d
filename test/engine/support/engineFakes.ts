/**
 * Fake providers for the marble specs of the task engine's scheduling core: each provider is an
 * offer → draft → agreement → activity chain of `golem-rx/testing` fakes, every call a cold
 * Observable whose subscriptions the specs assert.
 */
import { type Observable, type SchedulerLike, concatMap, ignoreElements, tap } from 'rxjs';
import type { RunHelpers } from 'rxjs/testing';
import type {
  ActivityOfOffer,
  ReleaseOutcome,
  TaskEngineConfig,
  TaskFeed,
} from '../../../src/engine/core/ports.js';
import type { EngineEvent } from '../../../src/engine/events.js';
import type { Task } from '../../../src/engine/Task.js';
import {
  type FakeActivity,
  type FakeAgreement,
  type FakeDraftProposal,
  type FakeOfferProposal,
  fakeActivity,
  fakeAgreement,
  fakeDraftProposal,
  fakeOfferProposal,
} from '../../../src/testing/fakes.js';

type Cold = RunHelpers['cold'];
type ColdObservable = ReturnType<Cold>;

/** The offer type of the fakes. */
export type Offer = FakeOfferProposal<FakeDraftProposal<FakeAgreement<FakeActivity>>>;
/** The engine config of the specs. */
export type SpecConfig = TaskEngineConfig<Offer, string, string>;

/** One fake provider and the cold Observables of its calls. */
export interface FakeProvider {
  readonly name: string;
  readonly offer: Offer;
  /** The provider's draft. */
  readonly draft: FakeDraftProposal<FakeAgreement<FakeActivity>>;
  /** The counter-proposal: `-d|`. */
  readonly respond: ColdObservable;
  /** Signing the draft: `-g|`. */
  readonly sign: ColdObservable;
  /** Creating the activity: `-a|`. */
  readonly createActivity: ColdObservable;
}

/** Makes a provider: countering, signing and creating the activity take one frame each. */
export function fakeProvider(cold: Cold, name: string, price = 0): FakeProvider {
  const agreement: FakeAgreement<FakeActivity> = fakeAgreement<FakeActivity>({
    id: `agr-${name}`,
    providerId: name,
    createActivity: () => createActivity,
  });
  const activity = fakeActivity({ id: `act-${name}`, agreement });
  const createActivity = cold('-a|', { a: activity });
  const sign = cold('-g|', { g: agreement });
  const draft = fakeDraftProposal<FakeAgreement<FakeActivity>>({
    id: `draft-${name}`,
    providerId: name,
    createAgreement: sign,
  });
  const respond = cold('-d|', { d: draft });
  const offer = fakeOfferProposal({ id: `offer-${name}`, providerId: name, price, respond });
  return { name, offer, draft, respond, sign, createActivity };
}

/** What a fake worker does with one task (settling it). */
export type FakeJob = (task: Task<string, string>, activity: ActivityOfOffer<Offer>) => Observable<unknown>;

/** A worker that runs `job` on each of its tasks, one at a time. */
export function fakeWorker(job: FakeJob): SpecConfig['work'] {
  return (activity: ActivityOfOffer<Offer>, feed: TaskFeed<string, string>) =>
    feed.tasks$.pipe(concatMap((task) => job(task, activity)));
}

/** A job that takes one frame (`-(r|)` by default) and accepts the task with `data@provider`. */
export function acceptAfter(cold: Cold, marble = '-(r|)'): FakeJob {
  return (task, activity) =>
    cold(marble).pipe(tap(() => task.accept(`${task.data}@${activity.agreement.providerId}`)));
}

/** A base config: each round offers every provider at once; a release takes one frame. */
export function specConfig(
  cold: Cold,
  scheduler: SchedulerLike,
  providers: readonly FakeProvider[],
  overrides: Partial<SpecConfig> = {},
): SpecConfig & {
  readonly releases: Array<{ activityId: string; outcome: ReleaseOutcome }>;
  readonly rounds: number[];
} {
  const releases: Array<{ activityId: string; outcome: ReleaseOutcome }> = [];
  const rounds: number[] = [];
  const letters = providers.map((_, i) => String.fromCharCode(97 + i)).join('');
  const values = Object.fromEntries(providers.map((p, i) => [String.fromCharCode(97 + i), p.offer]));
  return {
    releases,
    rounds,
    maxWorkers: 2,
    maxAttempts: 3,
    excludeAfter: 3,
    idleTimeout: 100,
    refreshInterval: 10,
    barrenRounds: 2,
    scheduler,
    offers: (round) => {
      rounds.push(round);
      return cold(providers.length === 1 ? letters : `(${letters})`, values);
    },
    work: fakeWorker(acceptAfter(cold)),
    release: (activity, outcome) => {
      releases.push({ activityId: activity.id, outcome });
      return cold('-|');
    },
    ...overrides,
  };
}

/** Short strings for the events that matter to the specs (others: `undefined`). */
export function describeEvent(event: EngineEvent<string, string>): string | undefined {
  switch (event.type) {
    case 'taskStarted':
      return `start ${event.task.data}@${event.providerId}`;
    case 'taskFinished':
      return `done ${event.result}`;
    case 'taskRetried':
      return `retry ${event.task.data}@${event.providerId}`;
    case 'taskFailed':
      return `fail ${event.task.data}`;
    case 'agreementSigned':
      return `sign ${event.providerId}`;
    case 'providerExcluded':
      return `exclude ${event.providerId}`;
    case 'agreementTerminated':
      return `end ${event.providerId} ${event.success ? 'ok' : 'failed'}`;
    default:
      return undefined;
  }
}

/** Records the events as `frame: text` lines into `log`; emits nothing, ends with the job. */
export function record(
  events$: Observable<EngineEvent<string, string>>,
  scheduler: SchedulerLike,
  log: string[],
  all: Array<EngineEvent<string, string>> = [],
): Observable<never> {
  return events$.pipe(
    tap((event) => {
      all.push(event);
      const text = describeEvent(event);
      if (text !== undefined) log.push(`${scheduler.now()}: ${text}`);
    }),
    ignoreElements(),
  );
}
