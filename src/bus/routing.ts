import type { BusResource, EventClass, GolemEvent } from './events.js';
import { ResourceEvent } from './events.js';

/**
 * Selects resources by class (`instanceof`, or the class's static `kind`) or by kind name.
 * `forResource(Allocation)` and `forResource('Allocation')` select the same events.
 */
export type ResourceMatcher<R extends BusResource = BusResource> =
  string | (abstract new (...args: never[]) => R);

/** `value instanceof cls`, typed without the `any` a generic class's `instanceof` yields. */
export function isInstance<T>(value: unknown, cls: abstract new (...args: never[]) => T): value is T {
  return value instanceof cls;
}

/** Is `event` an instance of one of `classes` (any event when `classes` is empty)? */
export function matchesClasses(event: GolemEvent, classes: readonly EventClass[]): boolean {
  return classes.length === 0 || classes.some((cls) => event instanceof cls);
}

/** Is `resource` selected by one of `matchers` (any resource when `matchers` is empty)? */
export function matchesResource(resource: BusResource, matchers: readonly ResourceMatcher[]): boolean {
  return (
    matchers.length === 0 ||
    matchers.some((m) => {
      if (typeof m === 'string') return resource.kind === m;
      const staticKind = (m as { readonly kind?: unknown }).kind;
      return staticKind === resource.kind || resource instanceof m;
    })
  );
}

/** The predicate behind `resourceListen` and the routing operators. */
export function resourceFilter(options: {
  readonly eventClasses?: readonly EventClass[];
  readonly resourceClasses?: readonly ResourceMatcher[];
  readonly ids?: readonly string[];
}): (event: GolemEvent) => event is ResourceEvent {
  const { eventClasses = [], resourceClasses = [], ids = [] } = options;
  const idSet = new Set(ids);
  return (event): event is ResourceEvent =>
    isInstance<ResourceEvent>(event, ResourceEvent) &&
    matchesClasses(event, eventClasses) &&
    matchesResource(event.resource, resourceClasses) &&
    (idSet.size === 0 || idSet.has(event.resource.id));
}
