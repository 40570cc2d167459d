/**
 * What `node.createAllocation`, `node.createDemand` and `node.demand$` do, as Observables.
 *
 * @internal
 * @module
 */
import {
  type Observable,
  ReplaySubject,
  concatMap,
  connectable,
  defer,
  finalize,
  map,
  of,
  share,
  switchMap,
  tap,
  throwError,
} from 'rxjs';
import type { YagnaEnv } from '../api/index.js';
import type { DemandOfferBaseDto, MarketDecorationDto } from '../api/types/index.js';
import { NoMatchingAccountError } from '../errors/NoMatchingAccountError.js';
import { fromCall } from './Action.js';
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

/**
 * The initial proposals of a demand published for as long as someone listens: `create$` runs at
 * the first subscription, connected apart from the subscribers (a demand published after the last
 * one left is released, not leaked); `release` unsubscribes it in the background.
 */
export function sharedDemand(
  create$: Observable<Demand>,
  release: (demand: Demand) => void,
): Observable<Proposal> {
  return defer(() => {
    let demand: Demand | undefined;
    let left = false;
    const created = connectable(
      create$.pipe(
        tap((d) => {
          demand = d;
          if (left) release(d);
        }),
      ),
      { connector: () => new ReplaySubject<Demand>(1), resetOnDisconnect: false },
    );
    created.connect();
    return created.pipe(
      switchMap((d) => d.proposals$),
      finalize(() => {
        left = true;
        if (demand !== undefined) release(demand);
      }),
    );
  }).pipe(share({ resetOnError: true, resetOnComplete: true, resetOnRefCountZero: true }));
}
