/**
 * The bus events the resource layer adds to those of `src/bus`.
 *
 * @module
 */
import { ResourceEvent } from '../bus/events.js';
import type { Resource } from './Resource.js';

/** What the node was doing for a resource, in the background, when it failed. */
export type BackgroundOperation =
  'collectEvents' | 'unsubscribe' | 'release' | 'destroy' | 'terminate' | 'cancel';

/**
 * Something the node did in the background for a resource failed: the event collection of an
 * autostarted demand, or a best-effort cleanup started from a teardown (e.g. `node.demand$`
 * unsubscribing its demand when the last subscriber left). Nobody awaited it, so it is reported
 * here instead of being swallowed.
 *
 * @example
 * ```ts
 * node.events.events$.pipe(ofType(ResourceOperationFailed)).subscribe((e) => console.error(e.operation, e.error));
 * ```
 */
export class ResourceOperationFailed extends ResourceEvent<Resource> {
  readonly type = 'ResourceOperationFailed' as const;

  /**
   * @param resource the resource
   * @param operation what was being done
   * @param error what it failed with
   */
  constructor(
    resource: Resource,
    readonly operation: BackgroundOperation,
    readonly error: unknown,
  ) {
    super(resource);
  }
}
