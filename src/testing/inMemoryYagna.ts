/**
 * An in-memory yagna for virtual time: simulated providers whose proposals, drafts, agreements and
 * activities implement the operator ports, every call scheduled on an RxJS scheduler (the
 * `TestScheduler` in marble tests), with configurable call times and outcomes, and counters of
 * what was spent. No HTTP, no real time.
 *
 * @module
 */
import { Observable, type SchedulerLike, asyncScheduler } from 'rxjs';
import {
  type InMemoryYagnaStats,
  type ProviderBehaviourInit,
  emptyStats,
  resolveBehaviour,
} from './inMemoryBehaviour.js';
import {
  type InMemoryActivity,
  type InMemoryAgreement,
  InMemoryOfferProposal,
  type InMemoryProvider,
} from './inMemoryResources.js';
import type { YagnaContext } from './inMemoryCall.js';
import { type OfferSpec, offerProperties } from './offers.js';

/** A simulated provider as given to {@link createInMemoryYagna}: its offer and its behaviour. */
export interface InMemoryProviderSpec extends OfferSpec {
  /** Its node id. @default `provider-<n>` (n from 1, in order of addition) */
  readonly id?: string;
  /** Overrides the yagna-wide behaviour. */
  readonly behaviour?: ProviderBehaviourInit;
  /** When its offer appears on `proposals$`, ms after subscription. @default 0 */
  readonly offerAt?: number;
  /** Its proposals' expiry, ms since the epoch of the scheduler's clock. @default never */
  readonly expiresAt?: number;
}

/** The options of {@link createInMemoryYagna}. */
export interface InMemoryYagnaOptions {
  /**
   * The clock of every call. Inside `TestScheduler.run` the default is virtual too; outside it,
   * pass a `VirtualTimeScheduler` (and `flush()` it) or a `TestScheduler`.
   * @default asyncScheduler
   */
  readonly scheduler?: SchedulerLike;
  /** The providers to start with. */
  readonly providers?: readonly InMemoryProviderSpec[];
  /** The behaviour of every provider, unless its own overrides it. */
  readonly behaviour?: ProviderBehaviourInit;
}

/** The in-memory yagna. */
export interface InMemoryYagna {
  /** The scheduler every call runs on. */
  readonly scheduler: SchedulerLike;
  /** The providers, in order of addition. */
  readonly providers: readonly InMemoryProvider[];
  /** Every agreement created, in order. */
  readonly agreements: readonly InMemoryAgreement[];
  /** Every activity created, in order. */
  readonly activities: readonly InMemoryActivity[];
  /** What was spent and how it ended (a live object). */
  readonly stats: Readonly<InMemoryYagnaStats>;
  /**
   * Each provider's offer at its `offerAt` (a new proposal per subscription, like a new demand),
   * then completes. Cold.
   */
  readonly proposals$: Observable<InMemoryOfferProposal>;
  /** Adds a provider. */
  addProvider(spec?: InMemoryProviderSpec): InMemoryProvider;
  /** The provider with this id or name. */
  provider(idOrName: string): InMemoryProvider | undefined;
}

/**
 * Creates an in-memory yagna.
 *
 * @example
 * ```ts
 * testScheduler.run(({ expectObservable }) => {
 *   const yagna = createInMemoryYagna({
 *     providers: [{ price: { cpuSec: '0.0001' } }, { price: { cpuSec: '0.00005' }, behaviour: { approval: 'reject' } }],
 *   });
 *   const agreements$ = yagna.proposals$.pipe(score(leastExpensiveLinearPayu()), negotiate(1), createAgreement());
 *   expectObservable(agreements$.pipe(map((a) => a.providerId))).toBe('---------(a|)', { a: 'provider-1' });
 * });
 * ```
 */
export function createInMemoryYagna(options: InMemoryYagnaOptions = {}): InMemoryYagna {
  const scheduler = options.scheduler ?? asyncScheduler;
  const stats = emptyStats();
  const providers: InMemoryProvider[] = [];
  const ids = new Set<string>();
  const sequences = new Map<string, number>();
  const context: YagnaContext = {
    scheduler,
    stats,
    agreements: [],
    activities: [],
    nextId(prefix) {
      const n = (sequences.get(prefix) ?? 0) + 1;
      sequences.set(prefix, n);
      return `${prefix}-${n}`;
    },
  };

  const addProvider = (spec: InMemoryProviderSpec = {}): InMemoryProvider => {
    const id = spec.id ?? `provider-${providers.length + 1}`;
    if (ids.has(id)) throw new RangeError(`in-memory yagna: provider ${id} exists`);
    const offerAt = spec.offerAt ?? 0;
    if (!(Number.isFinite(offerAt) && offerAt >= 0)) {
      throw new RangeError(`in-memory yagna: offerAt must be a finite number >= 0, got ${String(offerAt)}`);
    }
    const attempts = { counter: 0, approval: 0, activity: 0 };
    let proposals = 0;
    const provider: InMemoryProvider = {
      id,
      name: spec.name ?? id,
      properties: Object.freeze(offerProperties({ ...spec, name: spec.name ?? id })),
      behaviour: resolveBehaviour(options.behaviour, spec.behaviour),
      offerAt,
      expiresAt: spec.expiresAt,
      propose() {
        stats.offers++;
        return new InMemoryOfferProposal(`${id}-offer-${++proposals}`, provider, context, attempts);
      },
    };
    providers.push(provider);
    ids.add(id);
    return provider;
  };
  for (const spec of options.providers ?? []) addProvider(spec);

  const proposals$ = new Observable<InMemoryOfferProposal>((subscriber) => {
    // One scheduled action per distinct offerAt (not per provider): cheap with many providers.
    const byTime = new Map<number, InMemoryProvider[]>();
    for (const provider of providers) {
      const group = byTime.get(provider.offerAt);
      if (group) group.push(provider);
      else byTime.set(provider.offerAt, [provider]);
    }
    let groups = byTime.size;
    if (groups === 0) subscriber.complete();
    for (const [at, group] of [...byTime].sort(([a], [b]) => a - b)) {
      subscriber.add(
        scheduler.schedule(() => {
          for (const provider of group) {
            if (subscriber.closed) return;
            subscriber.next(provider.propose());
          }
          if (--groups === 0) subscriber.complete();
        }, at),
      );
    }
  });

  return {
    scheduler,
    providers,
    agreements: context.agreements,
    activities: context.activities,
    stats,
    proposals$,
    addProvider,
    provider: (idOrName) => providers.find((p) => p.id === idOrName || p.name === idOrName),
  };
}
