import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/**
 * A resource's cached `data` was read before it was ever fetched. Call `await resource.getData()`
 * first (or subscribe to `resource.data$`). Resources made from yagna events (an offer, an
 * agreement you created) usually carry their data from the start; those made by id
 * (`node.agreement(id)`) do not.
 *
 * @example
 * ```ts
 * const agreement = node.agreement(id);
 * try { agreement.data } catch (e) { if (isResourceDataNotLoadedError(e)) await agreement.getData(); }
 * ```
 */
export class ResourceDataNotLoadedError extends GolemRxError {
  override readonly name = 'ResourceDataNotLoadedError' as const;
  /** The resource class, e.g. `Agreement`. */
  readonly resourceType: string;
  /** The resource id. */
  readonly resourceId: string;

  constructor(context: { resourceType: string; resourceId: string }, options?: { cause?: unknown }) {
    super(
      `${context.resourceType} ${context.resourceId}: data was never fetched (call getData() first)`,
      options,
    );
    this.resourceType = context.resourceType;
    this.resourceId = context.resourceId;
  }
}

/** Is `err` a {@link ResourceDataNotLoadedError} (by class, or by name across realms)? */
export const isResourceDataNotLoadedError = errorGuard(
  ResourceDataNotLoadedError,
  'ResourceDataNotLoadedError',
);
