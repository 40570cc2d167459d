/**
 * Fake resources that implement the operator ports with the Observables you give them: marble-test
 * a scorer, a negotiation strategy or a whole pipeline in virtual time, exactly as golem-rx's own
 * marble specs do. Build them inside `TestScheduler.run` from `cold()` Observables, then assert
 * with `expectSubscriptions(fake's cold.subscriptions)` when a call was made and when it was
 * aborted. Each fake records the arguments of its calls.
 *
 * Methods whose value the operators ignore (`reject`, `confirm`, `cancel`, …) accept any
 * Observable (`cold('--|')`, `cold('-#')`); methods that must produce something (`respond`,
 * `createAgreement`, `createActivity`) error with a plain `Error` when not given.
 *
 * @example
 * ```ts
 * testScheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
 *   const draft = fakeDraftProposal({ id: 'd1' });
 *   const respond = cold('--d|', { d: draft });
 *   const offer = fakeOfferProposal({ id: 'o1', price: 1, respond });
 *   expectObservable(hot('-a|', { a: offer }).pipe(negotiate(1), map((x) => x.draft.id))).toBe('---(x|)', { x: 'd1' });
 *   expectSubscriptions(respond.subscriptions).toBe('-^-!');
 * });
 * ```
 *
 * @module
 */
import { Decimal } from 'decimal.js';
import { EMPTY, type Observable, ignoreElements, throwError } from 'rxjs';
import type { ActivityPort, AgreementPort, DraftProposal, OfferProposal } from '../ports/index.js';

/** An Observable, or a function of the call's arguments returning one. */
export type FakeCall<Args extends unknown[], T> = Observable<T> | ((...args: Args) => Observable<T>);

function call<Args extends unknown[], T>(
  name: string,
  fake: FakeCall<Args, T> | undefined,
  args: Args,
): Observable<T> {
  if (fake === undefined) return throwError(() => new Error(`${name}: no Observable given to the fake`));
  return typeof fake === 'function' ? fake(...args) : fake;
}

function done<Args extends unknown[]>(
  fake: FakeCall<Args, unknown> | undefined,
  args: Args,
): Observable<void> {
  if (fake === undefined) return EMPTY;
  return (typeof fake === 'function' ? fake(...args) : fake).pipe(ignoreElements());
}

/** A fake {@link OfferProposal}. */
export interface FakeOfferProposal<D extends DraftProposal = FakeDraftProposal> extends OfferProposal<D> {
  /** The price given to the factory, for scorers. */
  readonly price: Decimal;
  /** The arguments of every `respond` call, in order. */
  readonly respondCalls: ReadonlyArray<{ properties?: Record<string, unknown>; constraints?: string }>;
  /** The reasons of every `reject` call, in order. */
  readonly rejectCalls: readonly string[];
}

/** Makes a fake {@link OfferProposal}; `respond` is what it answers a counter-proposal with. */
export function fakeOfferProposal<D extends DraftProposal = FakeDraftProposal>(init: {
  id: string;
  providerId?: string;
  properties?: Record<string, unknown>;
  /** @default 0 */
  price?: Decimal.Value;
  expiresAt?: number;
  respond?: FakeCall<[properties?: Record<string, unknown>, constraints?: string], D>;
  reject?: FakeCall<[reason: string], unknown>;
}): FakeOfferProposal<D> {
  const respondCalls: Array<{ properties?: Record<string, unknown>; constraints?: string }> = [];
  const rejectCalls: string[] = [];
  return {
    id: init.id,
    providerId: init.providerId ?? `provider-${init.id}`,
    properties: init.properties ?? {},
    price: new Decimal(init.price ?? 0),
    ...(init.expiresAt === undefined ? {} : { expiresAt: init.expiresAt }),
    respondCalls,
    rejectCalls,
    respond(properties, constraints) {
      respondCalls.push({ properties, constraints });
      return call(`fakeOfferProposal(${init.id}).respond`, init.respond, [properties, constraints]);
    },
    reject(reason) {
      rejectCalls.push(reason);
      return done(init.reject, [reason]);
    },
  };
}

/** A fake {@link DraftProposal}. */
export interface FakeDraftProposal<A extends AgreementPort = FakeAgreement> extends DraftProposal<A> {
  /** The options of every `createAgreement` call, in order. */
  readonly createAgreementCalls: ReadonlyArray<{ validTo?: number }>;
  /** The reasons of every `reject` call, in order. */
  readonly rejectCalls: readonly string[];
}

/** Makes a fake {@link DraftProposal}; `createAgreement` is what signing it yields. */
export function fakeDraftProposal<A extends AgreementPort = FakeAgreement>(init: {
  id: string;
  providerId?: string;
  properties?: Record<string, unknown>;
  createAgreement?: FakeCall<[options: { validTo?: number }], A>;
  reject?: FakeCall<[reason: string], unknown>;
}): FakeDraftProposal<A> {
  const createAgreementCalls: Array<{ validTo?: number }> = [];
  const rejectCalls: string[] = [];
  return {
    id: init.id,
    providerId: init.providerId ?? `provider-${init.id}`,
    properties: init.properties ?? {},
    createAgreementCalls,
    rejectCalls,
    createAgreement(options) {
      createAgreementCalls.push(options);
      return call(`fakeDraftProposal(${init.id}).createAgreement`, init.createAgreement, [options]);
    },
    reject(reason) {
      rejectCalls.push(reason);
      return done(init.reject, [reason]);
    },
  };
}

/** A fake {@link AgreementPort}. */
export interface FakeAgreement<T extends ActivityPort = FakeActivity> extends AgreementPort<T> {
  /** The timeouts of every `waitForApproval` call, in order. */
  readonly waitCalls: readonly number[];
  /** The reasons of every `cancel` call, in order. */
  readonly cancelCalls: readonly string[];
  /** The reasons of every `terminate` call, in order. */
  readonly terminateCalls: readonly string[];
}

/**
 * Makes a fake {@link AgreementPort}. Left out, `confirm`, `waitForApproval` (approved at once),
 * `cancel` and `terminate` complete at once.
 */
export function fakeAgreement<T extends ActivityPort = FakeActivity>(init: {
  id: string;
  providerId?: string;
  confirm?: FakeCall<[], unknown>;
  waitForApproval?: FakeCall<[timeout: number], unknown>;
  cancel?: FakeCall<[reason: string], unknown>;
  terminate?: FakeCall<[reason: string], unknown>;
  createActivity?: FakeCall<[], T>;
}): FakeAgreement<T> {
  const waitCalls: number[] = [];
  const cancelCalls: string[] = [];
  const terminateCalls: string[] = [];
  return {
    id: init.id,
    providerId: init.providerId ?? `provider-${init.id}`,
    waitCalls,
    cancelCalls,
    terminateCalls,
    confirm: () => done(init.confirm, []),
    waitForApproval(timeout) {
      waitCalls.push(timeout);
      return done(init.waitForApproval, [timeout]);
    },
    cancel(reason) {
      cancelCalls.push(reason);
      return done(init.cancel, [reason]);
    },
    terminate(reason) {
      terminateCalls.push(reason);
      return done(init.terminate, [reason]);
    },
    createActivity: () => call(`fakeAgreement(${init.id}).createActivity`, init.createActivity, []),
  };
}

/** A fake {@link ActivityPort}. */
export interface FakeActivity extends ActivityPort {
  /** How many times `destroy` was called. */
  readonly destroyCalls: number;
}

/** Makes a fake {@link ActivityPort}. Left out, `deployAndStart` and `destroy` complete at once. */
export function fakeActivity(init: {
  id: string;
  agreement: AgreementPort;
  deployAndStart?: FakeCall<[], unknown>;
  destroy?: FakeCall<[], unknown>;
}): FakeActivity {
  let destroyCalls = 0;
  return {
    id: init.id,
    agreement: init.agreement,
    get destroyCalls() {
      return destroyCalls;
    },
    deployAndStart: () => done(init.deployAndStart, []),
    destroy() {
      destroyCalls++;
      return done(init.destroy, []);
    },
  };
}
