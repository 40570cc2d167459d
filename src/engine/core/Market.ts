/**
 * The market side of the scheduling core: publishes demands round after round, holds the drafts
 * `negotiate` brings in a {@link DraftGate}, and lets through to signing only as many as the core
 * needs, from providers that can take a pending task.
 *
 * @module
 */
import { Subject, type Subscription, map, startWith } from 'rxjs';
import type { OfferProposal } from '../../ports/index.js';
import type { EngineEvent } from '../events.js';
import { DraftGate } from './DraftGate.js';
import type { ActivityOfOffer, TaskEngineConfig } from './ports.js';
import { type HeldDraft, type RentalHooks, type RentalSettings, draftsOf } from './rentals.js';
import type { RoundTracker } from './RoundTracker.js';
import type { TaskBoard } from './TaskBoard.js';
import type { WorkerSlot } from './WorkerSlot.js';

/** Why held drafts are rejected to the provider. */
const DRAFT_NOT_NEEDED = 'No task needs this provider now';

/** What the market side needs of the core. */
export interface MarketHost<P extends OfferProposal, D, R> {
  readonly config: TaskEngineConfig<P, D, R>;
  readonly board: TaskBoard<D, R>;
  readonly slots: ReadonlySet<WorkerSlot<D, R, ActivityOfOffer<P>>>;
  readonly rentals: Set<string>;
  readonly roundTracker: RoundTracker;
  /** Is the job finishing (no more rentals)? */
  readonly finishing: boolean;
  emit(event: EngineEvent<D, R>): void;
  pump(): void;
  /** Ties a subscription to the job's. */
  hold(subscription: Subscription): void;
  /** Fails the job. */
  fail(error: unknown): void;
  /** No provider can be found: fail the pending tasks. */
  giveUp(): void;
}

/** The demands, the held drafts and the decision to sign. */
export class Market<P extends OfferProposal, D, R> {
  private readonly gate = new DraftGate<P>();
  private readonly rounds = new Subject<void>();
  private drafts: Subscription | undefined;
  private refreshTimer: Subscription | undefined;

  /**
   * @param host the core
   * @param settings the operators' settings
   * @param hooks what the rental chain reports to
   * @param signing where the drafts let through go
   */
  constructor(
    private readonly host: MarketHost<P, D, R>,
    private readonly settings: RentalSettings<P>,
    private readonly hooks: RentalHooks<P>,
    private readonly signing: Subject<HeldDraft<P>>,
  ) {}

  /**
   * `need` more workers are wanted: starts the first demand if none runs, lets the best usable
   * held drafts through, and refreshes the demand (or gives up) when none is left.
   */
  supply(need: number): void {
    if (need > 0 && this.drafts === undefined) this.start();
    const used = this.useDrafts(need);
    if (need > used) this.considerRefresh();
  }

  /** Withdraws the demand; the drafts held go with it (their negotiations end). Idempotent. */
  close(): void {
    // No reject needed, and the leases stay taken: negotiate starts nothing before it stops.
    for (const held of this.gate.drain()) this.dropDraft(held, false);
    this.drafts?.unsubscribe();
    this.refreshTimer?.unsubscribe();
  }

  private start(): void {
    const { host } = this;
    let next = 0;
    const rounds$ = this.rounds.pipe(
      startWith(undefined),
      map(() => ++next),
    );
    this.drafts = draftsOf(
      rounds$,
      (round) => host.config.offers(round),
      this.settings,
      this.hooks,
    ).subscribe({
      next: (held) => {
        host.roundTracker.settle();
        if (host.finishing) this.dropDraft(held, false);
        else {
          this.gate.add(held);
          host.pump();
        }
      },
      error: (error: unknown) => host.fail(error),
    });
    host.hold(this.drafts);
  }

  private busy(providerId: string): boolean {
    if (this.host.rentals.has(providerId)) return true;
    for (const slot of this.host.slots) if (slot.providerId === providerId) return true;
    return false;
  }

  private useDrafts(need: number): number {
    const { board, rentals, roundTracker } = this.host;
    for (const held of this.gate.prune((p) => !board.isExcluded(p) && !this.busy(p))) this.rejectDraft(held);
    let used = 0;
    while (used < need) {
      const held = this.gate.take((p) => board.hasWorkFor(p));
      if (held === undefined) break;
      used++;
      roundTracker.used();
      rentals.add(held.draft.providerId);
      this.signing.next(held);
    }
    if (need > used) {
      // Drafts no pending task can use would hold negotiate's slots: give them back.
      for (const held of this.gate.prune((p) => board.hasWorkFor(p))) this.rejectDraft(held);
    }
    return used;
  }

  private considerRefresh(): void {
    const { host } = this;
    if (this.drafts === undefined) return;
    const { scheduler } = host.config;
    const idle = host.slots.size === 0 && host.rentals.size === 0;
    const decision = host.roundTracker.decide(scheduler.now(), idle);
    if (decision.kind === 'wait' && this.refreshTimer === undefined) {
      this.refreshTimer = scheduler.schedule(() => {
        this.refreshTimer = undefined;
        host.pump();
      }, decision.ms);
      host.hold(this.refreshTimer);
    } else if (decision.kind === 'giveUp') {
      host.giveUp();
    } else if (decision.kind === 'refresh') {
      // The drafts held belong to the demand being withdrawn, which ends their negotiations.
      for (const held of this.gate.drain()) this.dropDraft(held, true);
      this.rounds.next();
    }
  }

  /** Lets go of a draft whose demand is being withdrawn (which ends its negotiation). */
  private dropDraft(held: HeldDraft<P>, release: boolean): void {
    if (release) held.lease.release();
    const { draft } = held;
    this.host.emit({
      type: 'proposalRejected',
      proposalId: draft.id,
      providerId: draft.providerId,
      reason: 'draft',
    });
  }

  /** Rejects a draft no task can use now, freeing its slot in negotiate. */
  private rejectDraft(held: HeldDraft<P>): void {
    this.dropDraft(held, true);
    const { draft } = held;
    draft.reject(DRAFT_NOT_NEEDED).subscribe({
      error: (error: unknown) =>
        this.host.emit({ type: 'cleanupFailed', action: 'rejectDraft', resourceId: draft.id, error }),
    });
  }
}
