/**
 * The health of a long-poll source, reported while yagna cannot be reached and once it can again.
 *
 * - `unreachable`: a poll failed with a transient error (network, 5xx, 408); the source backs off
 *   and retries after `retryInMs`. `attempt` counts the failures since the last success (1-based).
 * - `recovered`: a poll got an answer again after one or more `unreachable` reports;
 *   `downtimeMs` is scheduler time from the first failure to that answer.
 *
 * Merge it into the node's event bus with `sourceHealthChanged(name)` from `src/bus`.
 */
export type SourceHealth = SourceUnreachable | SourceRecovered;

/** A poll failed transiently; the source retries after `retryInMs`. */
export interface SourceUnreachable {
  readonly kind: 'unreachable';
  /** Failures since the last success, 1-based. */
  readonly attempt: number;
  /** What the failed poll threw (usually a typed error of `src/api`). */
  readonly error: unknown;
  /** The backoff delay before the next attempt, in scheduler milliseconds. */
  readonly retryInMs: number;
}

/** yagna answered again after at least one `unreachable` report. */
export interface SourceRecovered {
  readonly kind: 'recovered';
  /** Scheduler milliseconds from the first failure to the first answer. */
  readonly downtimeMs: number;
}
