import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/**
 * An offer's pricing properties cannot be read as the linear model (`golem.com.pricing.model.linear.coeffs`
 * and `golem.com.usage.vector`): a property is missing, of the wrong type, or the two do not fit
 * (there must be one coefficient per usage counter plus the fixed start price). Thrown by
 * `linearPricing(properties)`; `tryLinearPricing` returns `undefined` instead, which is what the
 * strategies use, so that one malformed offer drops that proposal and never fails the stream.
 *
 * @example
 * ```ts
 * try {
 *   linearPricing(proposal.properties);
 * } catch (error) {
 *   if (isInvalidPricingError(error)) console.warn(error.property, error.reason);
 * }
 * ```
 */
export class InvalidPricingError extends GolemRxError {
  override readonly name = 'InvalidPricingError' as const;
  /** The property at fault. */
  readonly property: string;
  /** What is wrong with it. */
  readonly reason: string;

  constructor(context: { property: string; reason: string }, options?: { cause?: unknown }) {
    super(`Invalid linear pricing: ${context.property} ${context.reason}`, options);
    this.property = context.property;
    this.reason = context.reason;
  }
}

/** Is `err` an {@link InvalidPricingError} (by class, or by name across realms)? */
export const isInvalidPricingError = errorGuard(InvalidPricingError, 'InvalidPricingError');
