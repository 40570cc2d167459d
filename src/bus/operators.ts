import type { OperatorFunction } from 'rxjs';
import { filter, map } from 'rxjs';
import type { SourceHealth } from '../sources/health.js';
import type { BusResource, EventClass, EventOf, GolemEvent, ResourceEvent } from './events.js';
import { SourceHealthChanged } from './events.js';
import type { ResourceMatcher } from './routing.js';
import { matchesClasses, resourceFilter } from './routing.js';

/**
 * Lets through the events that are instances of one of `classes`; a base class matches all its
 * subclasses (`ofType(ResourceEvent)` receives `NewResource`, `ResourceClosed`, …).
 *
 * ```text
 * events$:          -n-s-c-d-|     (n NewResource, s NodeStarted, c ResourceClosed, d DataChanged)
 * ofType(ResourceEvent): -n---c-d-|
 * ```
 *
 * Cold like `filter`; completes and errors with its source.
 *
 * @example
 * ```ts
 * node.events.events$.pipe(ofType(NewResource, ResourceClosed)).subscribe((e) => console.log(e.type));
 * ```
 * @see forResource
 * @see withIds
 */
export function ofType<C extends EventClass[]>(
  ...classes: C
): OperatorFunction<GolemEvent, EventOf<C[number]>> {
  return filter((event): event is EventOf<C[number]> => matchesClasses(event, classes));
}

/**
 * Lets through the resource events about resources of the given classes or kinds
 * (`forResource(Allocation)` or `forResource('Allocation')`); other events are dropped.
 *
 * ```text
 * events$:                -a-d-s-A-|     (a/A about an allocation, d a demand, s NodeStarted)
 * forResource('Allocation'): -a-----A-|
 * ```
 *
 * @example
 * ```ts
 * node.events.events$.pipe(ofType(ResourceClosed), forResource('Allocation')).subscribe(onReleased);
 * ```
 * @see ofType
 * @see withIds
 */
export function forResource<T extends GolemEvent, R extends BusResource = BusResource>(
  ...matchers: ResourceMatcher<R>[]
): OperatorFunction<T, T & ResourceEvent<R>> {
  const selected = resourceFilter({ resourceClasses: matchers });
  return filter((event): event is T & ResourceEvent<R> => selected(event));
}

/**
 * Lets through the resource events about the resources with the given ids.
 *
 * ```text
 * events$:        -1-2-s-1-|     (about resources 1 and 2; s not about a resource)
 * withIds('1'):   -1-----1-|
 * ```
 *
 * @example
 * ```ts
 * node.events.events$.pipe(withIds(agreement.id), ofType(ResourceClosed), take(1));
 * ```
 * @see ofType
 * @see forResource
 */
export function withIds<T extends GolemEvent>(...ids: string[]): OperatorFunction<T, T & ResourceEvent> {
  const selected = resourceFilter({ ids });
  return filter((event): event is T & ResourceEvent => selected(event));
}

/**
 * Wraps a long-poll source's health reports into bus events, to merge them into the bus:
 * `source.health$.pipe(sourceHealthChanged(source.name)).subscribe((e) => bus.emit(e))`.
 *
 * ```text
 * health$:                 -u--u---r-
 * sourceHealthChanged(n):  -U--U---R-     (SourceHealthChanged(n, …))
 * ```
 */
export function sourceHealthChanged(source: string): OperatorFunction<SourceHealth, SourceHealthChanged> {
  return map((health) => new SourceHealthChanged(source, health));
}
