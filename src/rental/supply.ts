/**
 * The node's market as a rental supply: one demand while rentals are being made, the spending
 * operators in the shape that signs exactly what is asked (`createActivity(), take(1)` per
 * rental), one rental per provider at a time, and the allocation and payload made once.
 *
 * @module
 */
import {
  EMPTY,
  type Observable,
  ReplaySubject,
  type SchedulerLike,
  defer,
  filter,
  finalize,
  from,
  map,
  merge,
  of,
  share,
  switchMap,
  take,
  tap,
  zip,
} from 'rxjs';
import {
  type OnOperatorEvent,
  type OperatorEvent,
  createActivity,
  createAgreement,
  filterDrafts,
  negotiate,
  score,
} from '../operators/index.js';
import {
  type Agreement,
  type Allocation,
  type DemandPayload,
  type Proposal,
  ResourceOperationFailed,
} from '../resources/index.js';
import { leastExpensiveLinearPayu, maxPrice, vmPackage } from '../strategies/index.js';
import { type ResolvedRentOptions, activityProperties, allocationLifetime } from './options.js';
import type { RentalSupply } from './ports.js';
import { Rental } from './Rental.js';
import type { RentalNode } from './RentalNode.js';

/** How long after a rental's `duration` its agreement may still run (negotiation, settling): 5 min. */
const EXPIRATION_MARGIN_MS = 5 * 60_000;

/** A provider's place in the supply: being signed, rented, or not to be tried again. */
type Claim = 'signing' | 'rented' | 'avoid';

/** The market supply, and whether it handed its allocation to a rental. */
export interface MarketSupply extends RentalSupply<Rental> {
  /** The rentals it made. */
  readonly made: readonly Rental[];
  /**
   * A `node.rent()` ended: an allocation made for it and not handed to a rental is released, in
   * the background (a failure is a `ResourceOperationFailed` event on the node's bus).
   */
  abandon(): void;
}

/**
 * Runs `make` once, detached (a creating call is never aborted), and replays its value; a failure
 * is replayed to those waiting, and the next subscription tries again.
 */
function once<T>(make: () => Observable<T>): Observable<T> {
  let result: ReplaySubject<T> | undefined;
  return defer(() => {
    if (result === undefined) {
      const subject = new ReplaySubject<T>(1);
      result = subject;
      make()
        .pipe(take(1))
        .subscribe({
          next: (value) => subject.next(value),
          error: (error: unknown) => {
            result = undefined;
            subject.error(error);
          },
          complete: () => subject.complete(),
        });
    }
    return result.pipe(take(1));
  });
}

/**
 * The node's market as a {@link RentalSupply}. `mode`: `rental` (one `node.rent()`: the allocation
 * it makes goes to the rental) or `pool` (the allocation is the pool's, released by `close()`).
 */
export function marketSupply(
  node: RentalNode,
  resolved: ResolvedRentOptions,
  mode: 'rental' | 'pool',
): MarketSupply {
  const { options, settings, duration } = resolved;
  const { network } = settings;
  const market = options.market ?? {};
  const scheduler: SchedulerLike = node.scheduler;
  const claims = new Map<string, Claim>();
  const made: Rental[] = [];
  const latest = new Map<string, Proposal>();
  let created: Allocation | undefined;

  const allocation$ = once<Allocation>(() => {
    if (options.allocation !== undefined) return of(options.allocation);
    return node
      .createAllocation({ amount: resolved.budget!, expires: allocationLifetime(duration) })
      .pipe(tap((allocation) => (created = allocation)));
  });
  const payload$ = once<DemandPayload>(() =>
    options.vmPackage === undefined ? of(options.payload ?? {}) : from(vmPackage(options.vmPackage)),
  );

  // One demand while rentals are being made (shared by them), withdrawn when none is; its offers
  // are kept by provider, so a rental that starts later still sees those that came before it.
  const offers$ = zip(allocation$, payload$).pipe(
    switchMap(([allocation, payload]) =>
      node.demand$({
        payload: {
          properties: { ...payload.properties, ...activityProperties(resolved) },
          ...(payload.constraints === undefined ? {} : { constraints: payload.constraints }),
        },
        allocations: [allocation],
        expiration: scheduler.now() + duration + EXPIRATION_MARGIN_MS,
        ...(options.subnet === undefined ? {} : { subnet: options.subnet }),
        ...(options.paymentTerms === undefined ? {} : { terms: options.paymentTerms }),
      }),
    ),
    tap((offer) => latest.set(offer.providerId, offer)),
    finalize(() => latest.clear()),
    share(),
  );

  const scorer = market.scorer ?? leastExpensiveLinearPayu<Proposal>({ expectedTimeSecs: duration / 1000 });
  const priced = options.maxPrice === undefined ? undefined : maxPrice<Proposal>(options.maxPrice);
  const usable = (offer: Proposal): boolean =>
    !claims.has(offer.providerId) &&
    offer.initial &&
    !offer.rejected &&
    offer.children.length === 0 &&
    (offer.expiresAt === undefined || offer.expiresAt > scheduler.now()) &&
    (priced === undefined || priced(offer));

  const avoidOnFailure =
    (user: OnOperatorEvent | undefined): OnOperatorEvent =>
    (event: OperatorEvent) => {
      if (event.type === 'agreementFailed') claims.set(event.draft.providerId, 'avoid');
      if (event.type === 'activityFailed') claims.set(event.agreement.providerId, 'avoid');
      user?.(event);
    };
  const onEvent = avoidOnFailure(market.onEvent);

  const rentalOf = (activity: Rental['activity']): Rental => {
    const owned = mode === 'rental' ? created : undefined;
    const rental = new Rental(node, activity, settings, {
      ...(owned === undefined ? {} : { ownedAllocation: owned }),
      stopped: (stopped, report) => {
        // a provider that ended the rental by itself is not tried again
        if (report.cause === 'providerTerminated') claims.set(stopped.providerId, 'avoid');
        else if (claims.get(stopped.providerId) === 'rented') claims.delete(stopped.providerId);
      },
    });
    claims.set(rental.providerId, 'rented');
    made.push(rental);
    return rental;
  };

  // One rental: exactly one agreement (`createActivity(), take(1)`).
  const one$ = defer(() => {
    const mine = new Set<string>();
    const snapshot = [...latest.values()];
    return merge(from(snapshot), offers$)
      .pipe(
        filter(usable),
        score(scorer, {
          scheduler,
          onEvent,
          ...(market.minProposals === undefined ? {} : { minProposals: market.minProposals }),
          ...(market.maxWait === undefined ? {} : { maxWait: market.maxWait }),
        }),
        negotiate<Proposal>(market.concurrency ?? 2, { scheduler, onEvent }),
        // another rental of this supply may have signed the provider meanwhile
        filterDrafts(
          ({ draft }) => {
            if (claims.has(draft.providerId)) return false;
            claims.set(draft.providerId, 'signing');
            mine.add(draft.providerId);
            return true;
          },
          { scheduler, onEvent, reason: 'Provider already rented' },
        ),
        createAgreement({
          scheduler,
          onEvent,
          ...(market.approvalTimeout === undefined ? {} : { approvalTimeout: market.approvalTimeout }),
        }),
        tap((agreement) => {
          const cap = settings.costCap;
          // before its activity bills anything: the payer refuses what goes over the cap
          if (cap !== undefined) node.payer.capCost(agreement.id, cap);
        }),
      )
      .pipe(
        createActivity({
          scheduler,
          onEvent,
          // in a VPN: the provider joins it before its exe-unit is deployed
          ...(network === undefined ? {} : { deploy: (agreement: Agreement) => network.join(agreement) }),
        }),
        map(rentalOf),
        take(1),
        finalize(() => {
          for (const providerId of mine) if (claims.get(providerId) === 'signing') claims.delete(providerId);
        }),
      );
  });

  return {
    made,
    rent: (count) => (count <= 0 ? EMPTY : merge(...Array.from({ length: count }, () => one$))),
    abandon: () => {
      const allocation = created;
      if (allocation === undefined || made.length > 0 || allocation.closed) return;
      allocation.release().subscribe({
        error: (error: unknown) =>
          node.events.emit(new ResourceOperationFailed(allocation, 'release', error)),
      });
    },
    close: () =>
      defer(() => {
        const allocation = created;
        if (allocation === undefined) return EMPTY;
        // a rental owns its allocation; a pool's is released once every rental settled
        if (mode === 'rental' || allocation.closed || !made.every(settled)) return EMPTY;
        return allocation.release();
      }),
  };
}

/** Has a rental stopped with its invoice dealt with (so its allocation is no longer needed)? */
function settled(rental: Rental): boolean {
  const report = rental.report;
  if (report === undefined) return false;
  const { status } = report.invoice;
  return status === 'accepted' || status === 'refused' || status === 'failed';
}
