/**
 * The events `src/integrations` adds to those of the bus (`src/bus/events.ts`) and of the
 * operators (`OperatorEvent`), for the status model: runnable lifecycle, scores and counters.
 *
 * @module
 */
import { GolemEvent } from '../bus/events.js';
import type { RunnableStatus } from './Runnable.js';

/** A proposal as these events need it: its id and its provider. */
export interface ProposalRef {
  readonly id: string;
  readonly providerId: string;
}

/** A runnable of a `RunnableRegistry` changed state (also replayed to each new subscriber). */
export class RunnableChanged extends GolemEvent {
  readonly type = 'RunnableChanged' as const;

  /** @param status its status now */
  constructor(readonly status: RunnableStatus) {
    super();
  }
}

/** `score` gave a proposal a score (reported by `StatusFeed.scored()`). */
export class ProposalScored extends GolemEvent {
  readonly type = 'ProposalScored' as const;

  /**
   * @param proposal the proposal
   * @param score its score, `>= 0`
   */
  constructor(
    readonly proposal: ProposalRef,
    readonly score: number,
  ) {
    super();
  }
}

/** `negotiate` sent a counter-proposal to a proposal (reported by `StatusFeed.respond()`). */
export class ProposalCountered extends GolemEvent {
  readonly type = 'ProposalCountered' as const;

  /**
   * @param proposal the offer countered
   * @param score the score it was chosen with
   */
  constructor(
    readonly proposal: ProposalRef,
    readonly score: number,
  ) {
    super();
  }
}
