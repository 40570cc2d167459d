import {
  BehaviorSubject,
  Observable,
  type ObservableInput,
  ReplaySubject,
  type SchedulerLike,
  Subject,
  Subscription,
  asyncScheduler,
  concatMap,
  defer,
  filter,
  finalize,
  map,
  take,
  throwIfEmpty,
  timer,
} from 'rxjs';
import { type Action, action } from '../resources/index.js';
import { RentalPoolDrainedError } from './errors/RentalPoolDrainedError.js';
import type { PoolMember, RentalSupply, StopReportOf } from './ports.js';
import type { Rental } from './Rental.js';

/** Where a pool is in its life: `open`, `draining` (stopping everything), `drained`. */
export type RentalPoolPhase = 'open' | 'draining' | 'drained';

/** A pool's counts, for a UI (`pool.state$`). */
export interface RentalPoolState {
  /** Rentals waiting to be acquired. */
  readonly ready: number;
  /** Rentals acquired and not released. */
  readonly busy: number;
  /** Rentals being made (negotiated, signed, started). */
  readonly starting: number;
  /** Rentals being stopped (and settled). */
  readonly stopping: number;
  /** `acquire()`s waiting for a rental. */
  readonly waiting: number;
  /** Where the pool is in its life. */
  readonly phase: RentalPoolPhase;
}

/** What `drain()` reports. */
export interface RentalPoolDrainReport<S> {
  /** The stop report of every rental the pool stopped (or saw stop), in the order they finished. */
  readonly reports: readonly S[];
  /** What failed besides: a stop that errored, releasing the pool's allocation. */
  readonly failures: readonly unknown[];
  /** Nothing failed and every report is ok. */
  readonly ok: boolean;
}

/**
 * What a pool tells a UI or a log (`pool.events$`), typed by `type`: a rental `added` (made and
 * ready), `acquired`, `released`, `lost` (it ended by itself while in the pool: its provider
 * terminated it, its cost cap or timeout passed; the pool replaces it as needed), `stopped` (with
 * its report), `supplyFailed` (renting failed; waiting `acquire()`s get the error, and the pool
 * tries again after `retryDelay`), `drained` (the last event).
 */
export type RentalPoolEvent<R, S = StopReportOf<R>> =
  | { readonly type: 'added' | 'acquired' | 'released'; readonly rental: R }
  | { readonly type: 'lost'; readonly rental: R; readonly cause: unknown }
  | { readonly type: 'stopped'; readonly rental: R; readonly report: S }
  | { readonly type: 'supplyFailed'; readonly error: unknown }
  | { readonly type: 'drained'; readonly report: RentalPoolDrainReport<S> };

/** The options of a {@link RentalPool}. */
export interface RentalPoolConfig<S> {
  /** Rentals kept (ready or in use) from the start. @default 0 */
  readonly min?: number;
  /** Rentals held at most; an `acquire()` beyond them waits. */
  readonly max: number;
  /** The clock of `retryDelay`. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
  /** How long to wait before renting again after the supply failed or ran short, in ms. @default 5000 */
  readonly retryDelay?: number;
  /** Is a stop report a clean one (for the drain report's `ok`)? @default every report is */
  readonly reportOk?: (report: S) => boolean;
}

interface Waiter<R> {
  give(member: R): void;
  fail(error: unknown): void;
}

/**
 * A pool of rentals: keeps `min` of them (ready or in use), grows to `max` when `acquire()`s wait,
 * hands them out and takes them back, replaces one that ends while in it, and `drain()` stops and
 * settles them all. `node.rentalPool({ min, max, … })` makes one on the node's market; the pool
 * itself only talks to its two ports (a {@link RentalSupply} and its {@link PoolMember}s), so it
 * is marble-tested with `cold()` stubs.
 *
 * ```text
 * min 1, max 2
 * supply.rent(1):  --a|                 --b|       (at the start; then for the waiting acquire)
 * acquire():         (a)   acquire(): ...--(b)    (a busy: the second waits, the pool grows)
 * a.ended$:                                  --x  (a's provider terminated it: a stopped, replaced)
 * state$:          s1    b1           s1b1 b2 …
 * ```
 *
 * It rents exactly what it needs: `supply.rent(n)` for the `n` missing, never more (the node's
 * market signs exactly `n` agreements: `take(n)` right after `createActivity`). `state$`,
 * `rentals$` and `events$` are for UIs; `acquire()`, `withRental()` and `drain()` are cold,
 * awaitable Actions.
 *
 * @example
 * ```ts
 * const pool = node.rentalPool({ min: 1, max: 3, payload, budget: 5 });
 * const outputs = await Promise.all(
 *   ['a', 'b', 'c', 'd'].map((x) => pool.withRental((rental) => rental.run(`echo ${x}`))),
 * );
 * const report = await pool.drain(); // every rental stopped and its invoice dealt with
 * ```
 */
export class RentalPool<R extends PoolMember = Rental> {
  private readonly min: number;
  private readonly max: number;
  private readonly scheduler: SchedulerLike;
  private readonly retryDelay: number;
  private readonly reportOk: (report: StopReportOf<R>) => boolean;
  private readonly idle: R[] = [];
  private readonly inUse = new Set<R>();
  private readonly stopping = new Set<R>();
  private readonly endings = new Map<R, Subscription>();
  private readonly waiters: Waiter<R>[] = [];
  private readonly supplies = new Subscription();
  private starting = 0;
  private retry: Subscription | undefined;
  private phase: RentalPoolPhase = 'open';
  private closingSupply = false;
  private readonly reports: StopReportOf<R>[] = [];
  private readonly failures: unknown[] = [];
  private readonly states: BehaviorSubject<RentalPoolState>;
  private readonly members = new BehaviorSubject<readonly R[]>([]);
  private readonly happenings = new Subject<RentalPoolEvent<R>>();
  private drained: ReplaySubject<RentalPoolDrainReport<StopReportOf<R>>> | undefined;

  /**
   * Starts renting `min` at once.
   * @param supply where new rentals come from
   * @param config see {@link RentalPoolConfig}
   * @throws {RangeError} when `min`/`max` are not integers with `0 <= min <= max`, `max >= 1`
   */
  constructor(
    private readonly supply: RentalSupply<R>,
    config: RentalPoolConfig<StopReportOf<R>>,
  ) {
    this.min = config.min ?? 0;
    this.max = config.max;
    if (!(Number.isInteger(this.max) && this.max >= 1)) {
      throw new RangeError(`rentalPool: max must be an integer >= 1, got ${String(config.max)}`);
    }
    if (!(Number.isInteger(this.min) && this.min >= 0 && this.min <= this.max)) {
      throw new RangeError(`rentalPool: min must be an integer in [0, max], got ${String(config.min)}`);
    }
    this.retryDelay = config.retryDelay ?? 5000;
    if (!(Number.isFinite(this.retryDelay) && this.retryDelay >= 0)) {
      throw new RangeError(`rentalPool: retryDelay must be a number >= 0, got ${String(config.retryDelay)}`);
    }
    this.scheduler = config.scheduler ?? asyncScheduler;
    this.reportOk = config.reportOk ?? (() => true);
    this.states = new BehaviorSubject(this.snapshot());
    this.adjust();
  }

  /** The counts now. */
  get state(): RentalPoolState {
    return this.states.value;
  }

  /** The counts now, then each change; completes when drained. */
  get state$(): Observable<RentalPoolState> {
    return this.states.asObservable();
  }

  /** The rentals in the pool (ready and in use) now, then each change; completes when drained. */
  get rentals$(): Observable<readonly R[]> {
    return this.members.asObservable();
  }

  /** What happens in the pool (hot: from subscription on); completes after `drained`. */
  get events$(): Observable<RentalPoolEvent<R>> {
    return this.happenings.asObservable();
  }

  /**
   * Completes once `min` rentals are in the pool (ready or in use).
   * @returns a cold, awaitable {@link Action}; errors with `RentalPoolDrainedError` if the pool
   *   is drained first
   */
  ready(): Action<void> {
    return action(
      this.states.pipe(
        filter((s) => s.phase !== 'open' || s.ready + s.busy >= this.min),
        take(1),
        throwIfEmpty(() => new RentalPoolDrainedError()),
        map((s) => {
          if (s.phase !== 'open') throw new RentalPoolDrainedError();
        }),
      ),
    );
  }

  /**
   * Hands out a ready rental, or waits for one: the pool grows (up to `max`) while `acquire()`s
   * wait, and a released rental goes to the longest waiting one. Give it back with `release()`.
   *
   * @returns a cold, awaitable {@link Action} of the rental: each subscription asks for one;
   *   unsubscribing while waiting stops waiting (a rental already being made for it joins the
   *   pool). Errors with `RentalPoolDrainedError` once the pool drains, and with the supply's
   *   error when renting fails while it waits.
   */
  acquire(): Action<R> {
    return action(
      new Observable<R>((subscriber) => {
        if (this.phase !== 'open') {
          subscriber.error(new RentalPoolDrainedError());
          return undefined;
        }
        const ready = this.idle.shift();
        if (ready !== undefined) {
          this.inUse.add(ready);
          this.happenings.next({ type: 'acquired', rental: ready });
          this.publish();
          subscriber.next(ready);
          subscriber.complete();
          return undefined;
        }
        const waiter: Waiter<R> = {
          give: (member) => {
            subscriber.next(member);
            subscriber.complete();
          },
          fail: (error) => subscriber.error(error),
        };
        this.waiters.push(waiter);
        this.adjust();
        this.publish();
        return () => {
          const at = this.waiters.indexOf(waiter);
          if (at < 0) return;
          this.waiters.splice(at, 1);
          this.publish();
        };
      }),
    );
  }

  /**
   * Takes an acquired rental back: it goes to a waiting `acquire()`, or waits ready. A rental
   * that ended meanwhile (and was replaced), or one not acquired from this pool, is ignored.
   */
  release(rental: R): void {
    if (!this.inUse.delete(rental)) return;
    this.happenings.next({ type: 'released', rental });
    this.hand(rental);
    this.publish();
  }

  /**
   * Acquires a rental, runs `fn` with it, and releases it when `fn`'s result ends: completes,
   * errors or is unsubscribed.
   *
   * @param fn the work: a Promise, an Observable or any ObservableInput
   * @returns a cold, awaitable {@link Action} of what `fn` produces
   *
   * @example
   * ```ts
   * const { stdout } = await pool.withRental((rental) => rental.run('nproc'));
   * ```
   */
  withRental<T>(fn: (rental: R) => ObservableInput<T>): Action<T> {
    return action(
      this.acquire().pipe(
        concatMap((rental) => defer(() => fn(rental)).pipe(finalize(() => this.release(rental)))),
      ),
    );
  }

  /**
   * Stops the pool: no more renting (what is being made is cancelled: the spending operators
   * withdraw it), waiting `acquire()`s error with `RentalPoolDrainedError`, and every rental,
   * ready or in use, is stopped and settled (`rental.stop()`); then the supply is closed.
   * Idempotent; it runs to its end whoever listens. `node.close()` drains an open pool and waits
   * for it.
   *
   * @returns a cold, awaitable {@link Action} of the {@link RentalPoolDrainReport}
   */
  drain(): Action<RentalPoolDrainReport<StopReportOf<R>>> {
    return action(defer(() => this.beginDrain()));
  }

  /** Rents what is missing: `max(min, in use + waiting)`, at most `max`, counting what is being made. */
  private adjust(): void {
    if (this.phase !== 'open' || this.retry !== undefined) return;
    const held = this.idle.length + this.inUse.size + this.starting;
    const wanted = Math.min(this.max, Math.max(this.min, this.inUse.size + this.waiters.length));
    if (wanted > held) this.rent(wanted - held);
  }

  private rent(count: number): void {
    let left = count;
    this.starting += count;
    const done = (): void => {
      this.starting -= left;
      left = 0;
    };
    const run = new Subscription();
    this.supplies.add(run);
    run.add(
      this.supply.rent(count).subscribe({
        next: (member) => {
          if (left === 0) {
            this.stopMember(member); // more than asked: never kept
            return;
          }
          left--;
          this.starting--;
          this.add(member);
        },
        error: (error: unknown) => {
          done();
          this.supplies.remove(run);
          this.happenings.next({ type: 'supplyFailed', error });
          for (const waiter of this.waiters.splice(0)) waiter.fail(error);
          this.retryLater();
          this.publish();
        },
        complete: () => {
          const short = left > 0;
          done();
          this.supplies.remove(run);
          if (short) this.retryLater();
          else this.adjust();
          this.publish();
        },
      }),
    );
    this.publish();
  }

  private retryLater(): void {
    if (this.phase !== 'open' || this.retry !== undefined) return;
    this.retry = timer(this.retryDelay, this.scheduler).subscribe(() => {
      this.retry = undefined;
      this.adjust();
      this.publish();
    });
  }

  /** A new member: to a waiting `acquire()`, or ready; watched for its end. */
  private add(member: R): void {
    if (this.phase !== 'open') {
      this.stopMember(member);
      return;
    }
    this.happenings.next({ type: 'added', rental: member });
    this.hand(member);
    this.endings.set(
      member,
      member.ended$.pipe(take(1)).subscribe({
        next: (cause) => this.lost(member, cause),
        error: (error: unknown) => this.lost(member, error),
      }),
    );
    this.publish();
  }

  /** To the longest waiting `acquire()`, or back to the ready ones. */
  private hand(member: R): void {
    const waiter = this.waiters.shift();
    if (waiter === undefined) {
      this.idle.push(member);
      return;
    }
    this.inUse.add(member);
    this.happenings.next({ type: 'acquired', rental: member });
    waiter.give(member);
  }

  /** A member ended by itself: out of the pool, its stop followed, a replacement rented if needed. */
  private lost(member: R, cause: unknown): void {
    const at = this.idle.indexOf(member);
    if (at >= 0) this.idle.splice(at, 1);
    else if (!this.inUse.delete(member)) return;
    this.happenings.next({ type: 'lost', rental: member, cause });
    this.stopMember(member);
    this.adjust();
    this.publish();
  }

  /** Stops a member (joining its own stop if it began already) and records its report. */
  private stopMember(member: R): void {
    this.endings.get(member)?.unsubscribe();
    this.endings.delete(member);
    if (this.stopping.has(member)) return;
    this.stopping.add(member);
    const done = (): void => {
      this.stopping.delete(member);
      this.publish();
      this.settleDrain();
    };
    (member.stop() as Observable<StopReportOf<R>>).pipe(take(1)).subscribe({
      next: (report) => {
        this.reports.push(report);
        this.happenings.next({ type: 'stopped', rental: member, report });
      },
      error: (error: unknown) => {
        this.failures.push(error);
        done();
      },
      complete: done,
    });
    this.publish();
  }

  private beginDrain(): Observable<RentalPoolDrainReport<StopReportOf<R>>> {
    if (this.drained === undefined) {
      this.drained = new ReplaySubject(1);
      this.phase = 'draining';
      this.supplies.unsubscribe();
      this.starting = 0;
      this.retry?.unsubscribe();
      this.retry = undefined;
      for (const waiter of this.waiters.splice(0)) waiter.fail(new RentalPoolDrainedError());
      const members = [...this.idle, ...this.inUse];
      this.idle.length = 0;
      this.inUse.clear();
      for (const member of members) this.stopMember(member);
      this.publish();
      this.settleDrain();
    }
    return this.drained.asObservable();
  }

  /** Once every rental has stopped: closes the supply, then reports. */
  private settleDrain(): void {
    if (this.phase !== 'draining' || this.stopping.size > 0 || this.closingSupply) return;
    this.closingSupply = true;
    this.supply.close().subscribe({
      error: (error: unknown) => {
        this.failures.push(error);
        this.finishDrain();
      },
      complete: () => this.finishDrain(),
    });
  }

  private finishDrain(): void {
    const report: RentalPoolDrainReport<StopReportOf<R>> = {
      reports: [...this.reports],
      failures: [...this.failures],
      ok: this.failures.length === 0 && this.reports.every((r) => this.reportOk(r)),
    };
    this.phase = 'drained';
    this.publish();
    this.happenings.next({ type: 'drained', report });
    this.happenings.complete();
    this.states.complete();
    this.members.complete();
    this.drained?.next(report);
    this.drained?.complete();
  }

  private snapshot(): RentalPoolState {
    return {
      ready: this.idle.length,
      busy: this.inUse.size,
      starting: this.starting,
      stopping: this.stopping.size,
      waiting: this.waiters.length,
      phase: this.phase,
    };
  }

  /** Emits the counts and the members when they changed. */
  private publish(): void {
    if (this.states.closed) return;
    const next = this.snapshot();
    const last = this.states.value;
    if (
      next.ready !== last.ready ||
      next.busy !== last.busy ||
      next.starting !== last.starting ||
      next.stopping !== last.stopping ||
      next.waiting !== last.waiting ||
      next.phase !== last.phase
    ) {
      this.states.next(next);
    }
    const members = [...this.idle, ...this.inUse];
    const known = this.members.value;
    if (members.length !== known.length || members.some((m) => !known.includes(m)))
      this.members.next(members);
  }
}
