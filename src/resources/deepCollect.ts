/**
 * One batch of a demand's consuming queue (`collectOffers`), drained in parallel when it is deep:
 * yagna hands each queued event to one poller only, so concurrent collects on one subscription
 * split the queue instead of repeating it.
 *
 * @module
 */
import { type Observable, catchError, concatMap, defaultIfEmpty, forkJoin, map, of, take } from 'rxjs';
import type { MarketEventDto } from '../api/types/index.js';

/** The most events one `collectOffers` returns (yagna's limit of `maxEvents`). */
export const MAX_EVENTS_PER_COLLECT = 100;
/** How many immediate collects the first drain round sends at once. */
const FIRST_ROUND = 8;
/** The most collects a drain round sends at once. */
const MAX_ROUND = 32;
/** The most events one batch gathers: a queue that never runs dry is delivered in pieces. */
export const MAX_EVENTS_PER_BATCH = 3_000;

/** One `collectOffers` with this server-side timeout (s) and `maxEvents` = {@link MAX_EVENTS_PER_COLLECT}. */
export type Collect = (timeoutSec: number) => Observable<readonly MarketEventDto[]>;

/**
 * A long-poll of `timeoutSec`; when it comes back full (`maxEvents` events: more are probably
 * queued), rounds of immediate collects (`timeout=0`) in parallel, 8 then twice as many each
 * round up to 32, until one comes back short or the batch holds {@link MAX_EVENTS_PER_BATCH}
 * events (the next long-poll goes on from there). Emits every event in one batch, the
 * long-poll's first.
 *
 * ```text
 * long-poll:  ----[100]|
 * round 1:             --(8 × [100])|
 * round 2:                          --(16 × [100] … [40] [] [])|
 * result:     ------------------------------(all)|
 * ```
 *
 * A drain call that fails ends the draining, keeping what the others brought (the server has
 * handed those over already; the next long-poll meets the failure again if it lasts). Errors only
 * with the long-poll's own error. Unsubscribed mid-round (the demand's last listener left), the
 * calls in flight are aborted and what the round's finished calls brought is dropped, as an
 * aborted long-poll's answer is.
 *
 * @param collect one `collectOffers` call
 * @param timeoutSec the long-poll's server-side timeout
 * @returns one batch of events
 */
export function deepCollect(collect: Collect, timeoutSec: number): Observable<readonly MarketEventDto[]> {
  const round = (width: number, have: number): Observable<readonly MarketEventDto[]> =>
    forkJoin(
      Array.from({ length: width }, () =>
        collect(0).pipe(
          take(1),
          defaultIfEmpty(undefined),
          catchError(() => of(undefined)),
        ),
      ),
    ).pipe(
      concatMap((batches) => {
        const events = batches.flatMap((batch) => batch ?? []);
        const deep = batches.every((batch) => batch !== undefined && batch.length >= MAX_EVENTS_PER_COLLECT);
        const next = nextWidth(width * 2, have + events.length);
        return deep && next > 0
          ? round(next, have + events.length).pipe(map((more) => [...events, ...more]))
          : of(events);
      }),
    );
  return collect(timeoutSec).pipe(
    concatMap((first) =>
      first.length < MAX_EVENTS_PER_COLLECT
        ? of(first)
        : round(nextWidth(FIRST_ROUND, first.length), first.length).pipe(map((more) => [...first, ...more])),
    ),
  );
}

/** The width of the next drain round: `wanted`, at most 32, within {@link MAX_EVENTS_PER_BATCH}. */
function nextWidth(wanted: number, have: number): number {
  const room = Math.floor((MAX_EVENTS_PER_BATCH - have) / MAX_EVENTS_PER_COLLECT);
  return Math.max(0, Math.min(wanted, MAX_ROUND, room));
}
