import { type Observable, type OperatorFunction, map } from 'rxjs';
import { type RunHelpers, TestScheduler } from 'rxjs/testing';
import { createAgreement } from '../operators/createAgreement.js';
import type { OnOperatorEvent } from '../operators/events.js';
import { negotiate } from '../operators/negotiate.js';
import { type Scored, type Scorer, score } from '../operators/score.js';
import type { OfferProposal } from '../ports/index.js';
import { type AssertDeepEqual, throwingAssertDeepEqual } from './assertDeepEqual.js';
import type { InMemoryYagnaStats, ProviderBehaviourInit } from './inMemoryBehaviour.js';
import type { InMemoryAgreement, InMemoryOfferProposal } from './inMemoryResources.js';
import { type InMemoryProviderSpec, type InMemoryYagna, createInMemoryYagna } from './inMemoryYagna.js';

/**
 * The strategy under test: a scorer (run as `score(scorer, …)`), or an operator from proposals to
 * scored proposals that takes `score`'s place (e.g. `penalizeUnconfirmed(…)`, or your own pipe).
 */
export type StrategyUnderTest<P extends OfferProposal = InMemoryOfferProposal> =
  Scorer<P> | { readonly operator: OperatorFunction<P, Scored<P>> };

/** How the strategy is run: the options of `score`, `negotiate` and `createAgreement`. */
export interface StrategyRunConfig {
  /** `score`'s `minProposals`. @default 0 */
  readonly minProposals?: number;
  /** `score`'s `maxWait`, ms. */
  readonly maxWait?: number;
  /** `negotiate(n)`'s `n`. @default 1 */
  readonly negotiate?: number;
  /** `negotiate`'s `distinctProviders` (one draft per provider). @default true */
  readonly distinctProviders?: boolean;
  /** `createAgreement`'s `concurrency`. @default the `negotiate` value */
  readonly agreementConcurrency?: number;
  /** `createAgreement`'s `approvalTimeout`, ms. @default 60000 */
  readonly approvalTimeout?: number;
  /** Receives the operators' events. */
  readonly onEvent?: OnOperatorEvent;
}

/** The helpers {@link testStrategy} passes: `TestScheduler`'s, plus the in-memory market. */
export interface StrategyTestHelpers extends RunHelpers {
  /** The in-memory yagna, on the test scheduler. */
  readonly yagna: InMemoryYagna;
  /**
   * A hot Observable of offer proposals, drawn as a marble: each key of `providers` is a provider
   * (id `provider-<key>` unless given, name `<key>`), and each of its letters in `marble` one of its
   * offers arriving.
   */
  proposals(
    marble: string,
    providers: Readonly<Record<string, InMemoryProviderSpec>>,
  ): Observable<InMemoryOfferProposal>;
  /** The agreements the strategy gets: `proposals$ → strategy → negotiate → createAgreement`. */
  agreements(
    proposals$: Observable<InMemoryOfferProposal>,
    strategy: StrategyUnderTest,
    config?: StrategyRunConfig,
  ): Observable<InMemoryAgreement>;
  /**
   * Asserts the agreements the strategy gets, drawn as a marble of provider keys: `'----a---(b|)'`
   * means an approved agreement with provider `a` at frame 4, then with `b` as the run completes.
   * Agreements with providers not made by {@link proposals} appear as their provider id.
   */
  expectAgreements(
    proposals$: Observable<InMemoryOfferProposal>,
    strategy: StrategyUnderTest,
    config?: StrategyRunConfig & { readonly subscription?: string },
  ): { toBe(marble: string, values?: Record<string, unknown>, error?: unknown): void };
}

/** The options of {@link testStrategy}. */
export interface TestStrategyOptions {
  /**
   * How frames are compared, e.g. `(a, e) => expect(a).toEqual(e)` with vitest or jest.
   * @default throwingAssertDeepEqual (throws an Error with a line diff)
   */
  readonly assertDeepEqual?: AssertDeepEqual;
  /** The behaviour of every provider, unless its spec overrides it. */
  readonly behaviour?: ProviderBehaviourInit;
}

/** What {@link testStrategy} returns, after the run has been flushed. */
export interface StrategyTestResult<T> {
  /** What the body returned. */
  readonly result: T;
  /** The in-memory yagna, at the end of the run. */
  readonly yagna: InMemoryYagna;
  /** Its counters: what the strategy spent. */
  readonly stats: Readonly<InMemoryYagnaStats>;
}

function asOperator<P extends OfferProposal>(
  strategy: StrategyUnderTest<P>,
  config: StrategyRunConfig,
  scheduler: TestScheduler,
): OperatorFunction<P, Scored<P>> {
  if (typeof strategy !== 'function') return strategy.operator;
  return score(strategy, {
    ...(config.minProposals === undefined ? {} : { minProposals: config.minProposals }),
    ...(config.maxWait === undefined ? {} : { maxWait: config.maxWait }),
    scheduler,
    ...(config.onEvent === undefined ? {} : { onEvent: config.onEvent }),
  });
}

/**
 * Runs a marble test of a market strategy against the in-memory yagna, inside
 * `TestScheduler.run` (virtual time), with any test runner: frames are compared with
 * `options.assertDeepEqual` (default: throw an `Error` with a diff).
 *
 * @param body - draws the proposals and asserts the agreements (and anything else, with the usual
 * `expectObservable`, `hot`, `cold`…).
 * @param options - see {@link TestStrategyOptions}.
 * @returns the body's result and the yagna's counters, read after the run.
 *
 * @example
 * ```ts
 * const { stats } = testStrategy(({ proposals, expectAgreements }) => {
 *   const offers = proposals('-a-b-c|', {
 *     a: { price: { cpuSec: '0.0003' } },
 *     b: { price: { cpuSec: '0.0001' } },
 *     c: { price: { cpuSec: '0.0002' } },
 *   });
 *   expectAgreements(offers, leastExpensiveLinearPayu(), { minProposals: 3 }).toBe('----------b---(c|)');
 * });
 * ```
 */
export function testStrategy<T>(
  body: (helpers: StrategyTestHelpers) => T,
  options: TestStrategyOptions = {},
): StrategyTestResult<T> {
  const testScheduler = new TestScheduler(options.assertDeepEqual ?? throwingAssertDeepEqual);
  const yagna = createInMemoryYagna({
    scheduler: testScheduler,
    ...(options.behaviour === undefined ? {} : { behaviour: options.behaviour }),
  });
  const keyOf = new Map<string, string>();
  const result = testScheduler.run((helpers) => {
    const agreements: StrategyTestHelpers['agreements'] = (proposals$, strategy, config = {}) => {
      const n = config.negotiate ?? 1;
      const events = config.onEvent === undefined ? {} : { onEvent: config.onEvent };
      return proposals$.pipe(
        asOperator(strategy, config, testScheduler),
        negotiate(n, {
          scheduler: testScheduler,
          ...(config.distinctProviders === undefined ? {} : { distinctProviders: config.distinctProviders }),
          ...events,
        }),
        createAgreement({
          concurrency: config.agreementConcurrency ?? n,
          ...(config.approvalTimeout === undefined ? {} : { approvalTimeout: config.approvalTimeout }),
          scheduler: testScheduler,
          ...events,
        }),
      );
    };
    return body({
      ...helpers,
      yagna,
      proposals(marble, providers) {
        const values: Record<string, InMemoryOfferProposal> = {};
        for (const [key, spec] of Object.entries(providers)) {
          const provider = yagna.addProvider({ name: key, ...spec, id: spec.id ?? `provider-${key}` });
          keyOf.set(provider.id, key);
          values[key] = provider.propose();
        }
        return helpers.hot(marble, values);
      },
      agreements,
      expectAgreements(proposals$, strategy, config = {}) {
        const keys$ = agreements(proposals$, strategy, config).pipe(
          map((agreement) => keyOf.get(agreement.providerId) ?? agreement.providerId),
        );
        return helpers.expectObservable(keys$, config.subscription);
      },
    });
  });
  return { result, yagna, stats: yagna.stats };
}
