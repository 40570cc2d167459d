/**
 * Jittered, capped exponential backoff for transient poll failures.
 *
 * The delay of attempt `n` (1-based) is `min(maxMs, initialMs * factor^(n-1))`, then reduced by
 * up to `jitter` of itself: `capped * (1 - jitter * random())`, rounded. With `random = () => 0`
 * the delays are exact (500, 1000, 2000, … with the defaults), which is what marble tests use.
 */
export interface BackoffConfig {
  /**
   * Delay before the first retry, in milliseconds.
   * @default 500
   */
  readonly initialMs?: number;
  /**
   * Upper bound of the delay, in milliseconds.
   * @default 30_000
   */
  readonly maxMs?: number;
  /**
   * Growth factor per failed attempt.
   * @default 2
   */
  readonly factor?: number;
  /**
   * Fraction of the delay that is randomised, in `[0, 1]` (0 = no jitter).
   * @default 0.5
   */
  readonly jitter?: number;
}

/**
 * The backoff delay of a failed attempt, in milliseconds.
 *
 * @param attempt failures so far, 1-based
 * @param config the backoff shape
 * @param random a `[0, 1)` source of jitter; inject a constant in tests
 * @returns the delay before the next attempt
 */
export function backoffDelay(
  attempt: number,
  config: BackoffConfig = {},
  random: () => number = Math.random,
): number {
  const { initialMs = 500, maxMs = 30_000, factor = 2, jitter = 0.5 } = config;
  const exponential = initialMs * Math.pow(factor, Math.max(0, attempt - 1));
  const capped = Math.min(maxMs, exponential);
  const spread = Math.min(1, Math.max(0, jitter));
  const r = Math.min(1, Math.max(0, random()));
  return Math.max(0, Math.round(capped * (1 - spread * r)));
}
