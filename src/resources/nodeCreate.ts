/**
 * What `node.createAllocation`, `node.createDemand` and `node.demand$` do, as Observables.
 *
 * @module
 */
import {
  EMPTY,
  type MonoTypeOperatorFunction,
  type Observable,
  type SchedulerLike,
  concatMap,
  defer,
  expand,
  filter,
  finalize,
  identity,
  map,
  merge,
  of,
  race,
  share,
  take,
  throwError,
  timer,
} from 'rxjs';
import type { YagnaEnv } from '../api/index.js';
import type { DemandOfferBaseDto, MarketDecorationDto } from '../api/types/index.js';
import { NoMatchingAccountError } from './errors/NoMatchingAccountError.js';
import { fromCall } from '../rx/fromCall.js';
import { createOrRelease, inBackground } from './internals.js';
import type { Allocation } from './Allocation.js';
import type { Demand } from './Demand.js';
import type { ResourceNode } from './ResourceNode.js';
import {
  type CreateAllocationOptions,
  type CreateDemandOptions,
  DEFAULT_ALLOCATION_EXPIRES_MS,
  DEFAULT_DEMAND_EXPIRATION_MS,
  MAX_ALLOCATION_EXPIRES_MS,
} from './nodeOptions.js';
import { buildDemand } from './payload.js';
import type { Proposal } from './Proposal.js';

/** Checks `expires` synchronously. @throws {RangeError} unless in (0, 24 h] */
export function checkAllocationExpires(expires = DEFAULT_ALLOCATION_EXPIRES_MS): number {
  if (!(Number.isFinite(expires) && expires > 0 && expires <= MAX_ALLOCATION_EXPIRES_MS)) {
    throw new RangeError(
      `createAllocation: expires must be in (0, ${MAX_ALLOCATION_EXPIRES_MS}] ms, got ${String(expires)}`,
    );
  }
  return expires;
}

/** Checks an explicit `expiration` synchronously. @throws {RangeError} unless in the future */
export function checkDemandExpiration(node: ResourceNode, expiration: Date | number | undefined): void {
  if (expiration === undefined) return;
  const ms = +expiration;
  if (!(Number.isFinite(ms) && ms > node.scheduler.now())) {
    throw new RangeError(`createDemand: expiration must be in the future, got ${String(expiration)}`);
  }
}

/**
 * Picks the sending account for `driver`/`network` and creates the allocation on it. The POST is
 * not aborted by an unsubscribe: what it creates is released in the background instead.
 */
export function allocationCreation(
  node: ResourceNode,
  env: YagnaEnv,
  options: CreateAllocationOptions,
): Observable<Allocation> {
  const expires = checkAllocationExpires(options.expires);
  const network = options.network ?? env.PAYMENT_NETWORK ?? 'holesky';
  const driver = options.driver ?? 'erc20';
  return fromCall((signal) => node.api.payment.getRequestorAccounts({ signal })).pipe(
    concatMap((accounts) => {
      const account = accounts.find((a) => a.send && a.driver === driver && a.network === network);
      if (account === undefined) {
        const available = accounts.filter((a) => a.send).map((a) => a.platform);
        return throwError(() => new NoMatchingAccountError({ network, driver, available }));
      }
      const timeout = new Date(node.scheduler.now() + expires);
      return createOrRelease(
        node,
        fromCall((signal) =>
          node.api.payment.createAllocation(
            {
              totalAmount: options.amount,
              paymentPlatform: account.platform,
              address: account.address,
              timeout,
            },
            { signal },
          ),
        ).pipe(
          map((data) => {
            const allocation = node.allocation(data.allocationId);
            allocation.setData(data);
            if (options.autoclose ?? true) node.autoclose(allocation);
            return allocation;
          }),
        ),
        (allocation) => inBackground(allocation, 'release', allocation.release()),
      );
    }),
  );
}

/**
 * Fetches the allocations' decorations, builds the demand body and subscribes it; `published`
 * registers the new demand with the node. The POST is not aborted by an unsubscribe: a demand it
 * publishes is unsubscribed in the background instead.
 */
export function demandCreation(
  node: ResourceNode,
  env: YagnaEnv,
  options: CreateDemandOptions,
  published: (demand: Demand, body: DemandOfferBaseDto) => void,
): Observable<Demand> {
  checkDemandExpiration(node, options.expiration);
  return defer(() => {
    const expirationMs =
      options.expiration === undefined
        ? node.scheduler.now() + DEFAULT_DEMAND_EXPIRATION_MS
        : +options.expiration;
    const allocations = options.allocations ?? [];
    const decoration$: Observable<MarketDecorationDto | undefined> =
      allocations.length === 0
        ? of(undefined)
        : fromCall((signal) =>
            node.api.payment.getDemandDecorations(
              allocations.map((a) => a.id),
              { signal },
            ),
          );
    return decoration$.pipe(
      concatMap((decoration) => {
        const body = buildDemand({
          payload: options.payload,
          subnet: options.subnet ?? env.YAGNA_SUBNET ?? 'public',
          expirationMs,
          decoration,
          terms: options.terms,
        });
        return createOrRelease(
          node,
          fromCall((signal) => node.api.market.subscribeDemand(body, { signal })).pipe(
            map((id) => {
              const demand = node.demand(id);
              demand.setAllocations(allocations);
              published(demand, body);
              return demand;
            }),
          ),
          (demand) => inBackground(demand, 'unsubscribe', demand.unsubscribe()),
        );
      }),
    );
  });
}

/** The default of {@link DemandRefreshOptions.margin}: 10 minutes. */
export const DEFAULT_DEMAND_REFRESH_MARGIN_MS = 600_000;

/** The default of {@link DemandRefreshOptions.subscriptionTtl}: yagna's `DEFAULT_SUBSCRIPTION_TTL`, 1 hour. */
export const DEFAULT_SUBSCRIPTION_TTL_MS = 3_600_000;

/** How `node.demand$` keeps its demand on the market. */
export interface DemandRefreshOptions {
  /**
   * How long before a demand ends its successor is published, in ms; at most half the demand's
   * life (a demand living 10 s is republished after 5 s). Providers reject a counter-proposal
   * whose `golem.srv.comp.expiration` is less than 5 minutes away: the default leaves 5 more.
   * @default 600_000 (10 min)
   */
  readonly margin?: number;
  /**
   * How long yagna keeps a demand subscription, in ms (its `DEFAULT_SUBSCRIPTION_TTL`): a demand
   * ends at its `golem.srv.comp.expiration` or this long after it was published, whichever
   * comes first.
   * @default 3_600_000 (1 h)
   */
  readonly subscriptionTtl?: number;
}

/** Options of `node.demand$(…)`: those of `createDemand`, and the refresh. */
export interface DemandStreamOptions extends CreateDemandOptions {
  /**
   * Republish the demand before it ends (see {@link DemandRefreshOptions}) and as soon as yagna
   * has lost it (a restart: its poll answers 404/410). Each demand lives as long as the first
   * (`expiration` minus the time of publishing; one hour by default). `false`: the demand is
   * published once and the stream completes when it is gone.
   * @default true
   */
  readonly refresh?: boolean | DemandRefreshOptions;
}

/** A checked {@link DemandRefreshOptions}. @internal */
export interface DemandRefresh {
  readonly margin: number;
  readonly subscriptionTtl: number;
}

/**
 * Checks `refresh` synchronously.
 * @internal
 * @returns the refresh, or `undefined` for `false`
 * @throws {RangeError} on a negative or non-finite margin, or a subscription TTL that is not positive
 */
export function resolveDemandRefresh(
  refresh: DemandStreamOptions['refresh'] = true,
): DemandRefresh | undefined {
  if (refresh === false) return undefined;
  const given = refresh === true ? {} : refresh;
  const margin = given.margin ?? DEFAULT_DEMAND_REFRESH_MARGIN_MS;
  const subscriptionTtl = given.subscriptionTtl ?? DEFAULT_SUBSCRIPTION_TTL_MS;
  if (!(Number.isFinite(margin) && margin >= 0))
    throw new RangeError(
      `demand$: refresh.margin must be a non-negative number of ms, got ${String(margin)}`,
    );
  if (!(Number.isFinite(subscriptionTtl) && subscriptionTtl > 0))
    throw new RangeError(
      `demand$: refresh.subscriptionTtl must be a positive number of ms, got ${String(subscriptionTtl)}`,
    );
  return { margin, subscriptionTtl };
}

/** What {@link sharedDemand} needs. @internal */
export interface SharedDemandConfig {
  /** Publishes one demand expiring at `expirationMs` (cold; its POST runs apart from the subscriber). */
  readonly publish: (expirationMs: number) => Observable<Demand>;
  /** Unsubscribes a demand in the background. */
  readonly release: (demand: Demand) => void;
  /** `createDemand`'s `expiration`: the first demand's; its distance from now is every demand's life. */
  readonly expiration: Date | number | undefined;
  /** When to republish; `undefined`: publish once. */
  readonly refresh: DemandRefresh | undefined;
  /** Applied to every publication but the first (retries on transient failures). */
  readonly retry: MonoTypeOperatorFunction<Demand>;
  /** The least age of a demand found gone before the next is published (no loop of instant losses). */
  readonly minIntervalMs: number;
  /** The clock of the refresh. */
  readonly scheduler: SchedulerLike;
}

/** The longest delay a timer can wait (setTimeout's); a later refresh comes that much early. */
const MAX_TIMER_MS = 2_147_483_647;

/** A demand just published, the one it replaces, and when it is replaced in turn. */
class Published {
  constructor(
    readonly demand: Demand,
    readonly replaces: Demand | undefined,
    readonly publishedAt: number,
    readonly refreshAt: number,
  ) {}
}

/**
 * The initial proposals of a demand kept on the market for as long as someone listens.
 *
 * ```text
 * subscribers: ^------------------------------!
 * publish:     -d1           -d2                       (d2 at d1's end − margin, or once d1 is gone)
 * d1's poll:    ^---------------!                      (d1 unsubscribed once d2's poll runs)
 * d2's poll:                    ^-----------------!    (d2 unsubscribed when the last one leaves)
 * result:      ---a---b----------c---d------------
 * ```
 *
 * The first demand is published at the first subscription; each next one `margin` before the one
 * it replaces ends (see {@link DemandRefreshOptions}), retried on transient failures, or as soon as
 * that one is gone (404/410 on its poll). The new demand's poll starts before the old demand is
 * unsubscribed, and the old one's proposals are emitted until it is, so there is no gap. Each
 * demand's proposals are followed once, and a proposal already known is not a new child of the
 * next demand, so no proposal is emitted twice. A demand published after the last subscriber
 * left is released when it lands; the open ones are released when the last subscriber leaves.
 * Hot and shared; completes (without refresh) when the demand is gone; errors when a
 * publication or a poll fails for good.
 * @internal
 */
export function sharedDemand(config: SharedDemandConfig): Observable<Proposal> {
  const { publish, release, refresh, scheduler } = config;
  return defer(() => {
    const start = scheduler.now();
    const life =
      (config.expiration === undefined ? start + DEFAULT_DEMAND_EXPIRATION_MS : +config.expiration) - start;
    if (!(life > 0)) {
      return throwError(
        () => new RangeError(`demand$: expiration must be in the future, got ${String(config.expiration)}`),
      );
    }
    const open = new Set<Demand>();
    const publishOne = (
      replaces: Demand | undefined,
      retry: MonoTypeOperatorFunction<Demand>,
    ): Observable<Published> =>
      defer(() => {
        const publishedAt = scheduler.now();
        const expirationMs = publishedAt + life;
        return publish(expirationMs).pipe(
          retry,
          map((demand) => {
            open.add(demand);
            return new Published(
              demand,
              replaces,
              publishedAt,
              refreshTime(publishedAt, expirationMs, refresh),
            );
          }),
        );
      });
    const follow = ({
      demand,
      replaces,
      publishedAt,
      refreshAt,
    }: Published): Observable<Proposal | Published> => {
      const after = (at: number): Observable<unknown> =>
        timer(Math.min(MAX_TIMER_MS, Math.max(0, at - scheduler.now())), scheduler);
      const next$ =
        refresh === undefined
          ? EMPTY
          : race(
              after(refreshAt).pipe(map(() => demand)),
              demand.closed$.pipe(
                concatMap(() => after(publishedAt + config.minIntervalMs)),
                map(() => undefined),
              ),
            ).pipe(
              take(1),
              concatMap((replaced) => publishOne(replaced, config.retry)),
            );
      return merge(
        demand.proposals$.pipe(
          finalize(() => {
            if (demand.closed) open.delete(demand);
          }),
        ),
        // after the poll above has started
        defer(() => {
          if (replaces !== undefined) release(replaces);
          return EMPTY;
        }),
        next$,
      );
    };
    return publishOne(undefined, identity).pipe(
      expand((item) => (item instanceof Published ? follow(item) : EMPTY)),
      filter((item): item is Proposal => !(item instanceof Published)),
      finalize(() => {
        for (const demand of open) if (!demand.withdrawn) release(demand);
      }),
    );
  }).pipe(share({ resetOnError: true, resetOnComplete: true, resetOnRefCountZero: true }));
}

/** When a demand published at `publishedAt` and expiring at `expirationMs` is replaced. */
function refreshTime(publishedAt: number, expirationMs: number, refresh: DemandRefresh | undefined): number {
  if (refresh === undefined) return Infinity;
  const end = Math.min(expirationMs, publishedAt + refresh.subscriptionTtl);
  return end - Math.min(refresh.margin, (end - publishedAt) / 2);
}
