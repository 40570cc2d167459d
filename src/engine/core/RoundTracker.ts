/**
 * The demand rounds of the scheduling core: when the offers of the current demand are used up and
 * workers are still needed, a fresh demand is published (at most every `refreshInterval` ms); after
 * `barrenRounds` rounds in a row that gave no usable provider, the pending tasks are given up.
 *
 * @module
 */

/** What to do when workers are needed and no held draft can serve. */
export type RoundDecision =
  /** Nothing: offers are still being negotiated, or none came yet. */
  | { readonly kind: 'none' }
  /** Wait `ms`, then decide again. */
  | { readonly kind: 'wait'; readonly ms: number }
  /** Publish a fresh demand. */
  | { readonly kind: 'refresh' }
  /** No provider can be found for the pending tasks: fail them. */
  | { readonly kind: 'giveUp' };

/** Counts offers per round. */
export class RoundTracker {
  private offered = 0;
  private settled = 0;
  private roundOffered = 0;
  private roundUsed = 0;
  private startedAt = 0;
  private barren = 0;

  constructor(private readonly limits: { readonly refreshInterval: number; readonly barrenRounds: number }) {}

  /** A round began at `now`. */
  roundStarted(now: number): void {
    this.roundOffered = 0;
    this.roundUsed = 0;
    this.startedAt = now;
  }

  /** An offer arrived. */
  offer(): void {
    this.offered++;
    this.roundOffered++;
  }

  /** An offer went no further, or became a draft. */
  settle(): void {
    this.settled++;
  }

  /** A draft of this round went on to be signed. */
  used(): void {
    this.roundUsed++;
  }

  /**
   * Workers are needed and no held draft can serve: decide.
   * @param now the clock
   * @param idle no worker is alive or being rented
   */
  decide(now: number, idle: boolean): RoundDecision {
    if (this.roundOffered === 0 || this.settled < this.offered) return { kind: 'none' };
    const wait = this.startedAt + this.limits.refreshInterval - now;
    if (wait > 0) return { kind: 'wait', ms: wait };
    this.barren = this.roundUsed === 0 ? this.barren + 1 : 0;
    if (this.barren >= this.limits.barrenRounds && idle) {
      this.barren = 0;
      return { kind: 'giveUp' };
    }
    return { kind: 'refresh' };
  }
}
