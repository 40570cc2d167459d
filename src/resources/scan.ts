/**
 * What `node.scan$` does: yagna's market scan (M18: `beginScan`, `collectScanResults`,
 * `endScan`) as a hot Observable of offers.
 *
 * @module
 */
import {
  type MonoTypeOperatorFunction,
  Observable,
  concatMap,
  defer,
  filter,
  finalize,
  identity,
  repeat,
  share,
  takeUntil,
  tap,
  timer,
} from 'rxjs';
import type { YagnaEnv } from '../api/index.js';
import type { OfferDto } from '../api/types/index.js';
import { SourceHealthChanged } from '../bus/events.js';
import { fromCall } from '../rx/fromCall.js';
import { consumingQueueSource } from '../sources/consumingQueueSource.js';
import { isGone, tolerate, voidCall } from './internals.js';
import { PROPERTY, type DemandPayload, joinConstraints } from './payload.js';
import { retryTransient } from './retryTransient.js';
import type { ResourceNode } from './ResourceNode.js';
import { ScanEndFailed } from './scanEvents.js';

/** Seconds yagna keeps a scan that nobody polls (its `timeout`; every poll renews it). */
export const SCAN_IDLE_TIMEOUT_SEC = 60;

/** `node.scan$({ constraints })`: the offers whose properties satisfy these constraints. */
export interface ScanByConstraints {
  /**
   * Clauses in yagna's constraint language, ANDed (a string is one clause), checked against
   * each offer's properties, e.g. `'(golem.runtime.name=vm)'`; none (`[]`): every offer.
   */
  readonly constraints: readonly string[] | string;
  readonly payload?: undefined;
  readonly subnet?: undefined;
}

/** `node.scan$({ payload })`: the offers a demand with this payload would be matched with. */
export interface ScanByPayload {
  /**
   * A demand's payload (e.g. a `vmPackage(…)`): the offers whose properties satisfy its
   * constraints and the subnet's. One way only: unlike a demand, the offers' own constraints
   * are not checked against it.
   */
  readonly payload: DemandPayload;
  /** The subnet tag. @default `YAGNA_SUBNET`, then `public` */
  readonly subnet?: string;
  readonly constraints?: undefined;
}

/** Options of `node.scan$(…)`: what to look for, as constraints or as a demand's payload. */
export type ScanOptions = ScanByConstraints | ScanByPayload;

/**
 * The constraint expression of a scan; `undefined` when it has none (every offer).
 * @internal
 */
export function scanConstraints(options: ScanOptions, env: YagnaEnv): string | undefined {
  if (options.payload !== undefined) {
    const given = options.payload.constraints;
    const clauses = given === undefined ? [] : typeof given === 'string' ? [given] : [...given];
    const subnet = options.subnet ?? env.YAGNA_SUBNET ?? 'public';
    return joinConstraints([...clauses, `(${PROPERTY.subnet}=${subnet})`]);
  }
  const clauses = typeof options.constraints === 'string' ? [options.constraints] : options.constraints;
  const joined = joinConstraints(clauses);
  return joined === '(&)' ? undefined : clauses.length === 1 ? clauses[0]!.trim() : joined;
}

/**
 * The offers on the market that satisfy `constraints`, without a demand: a market scan begun at
 * the first subscription and polled while anyone listens.
 *
 * ```text
 * subscribers:  ^------------------!
 * scan:         (beginScan)        (endScan)
 * polls:         [a b]  [b c]  []
 * result:       --(ab)---c---------
 * ```
 *
 * Each offer once (by offer id). When yagna has lost the scan (404/410 on its poll: a restart,
 * or unused beyond its timeout) a new one is begun, and the offers already emitted are not
 * emitted again (a transient failure to begin it again is retried, `closeRetries` times). Hot and shared; polls only while subscribed; when the last subscriber leaves or
 * the node closes, the poll is aborted and the scan ended in the background (a failure becomes
 * {@link ScanEndFailed}; `close()` returns once it is done); a `beginScan` in flight then is not
 * aborted, and the scan it begins is ended when it lands. Transient poll failures are retried (`SourceHealthChanged`, source
 * `scan:<id>`); completes when the node closes; errors when `beginScan` or a poll fails for good
 * (e.g. 400 on invalid constraints).
 *
 * @internal
 */
export function marketScan(node: ResourceNode, constraints: string | undefined): Observable<OfferDto> {
  return defer(() => {
    const seen = new Set<string>();
    let begun = 0;
    // a scan begun again (yagna lost the last one) is retried on transient failures, as the poll was
    const begin$ = defer(() =>
      beginScan(node, constraints).pipe(
        begun++ === 0 ? (identity as MonoTypeOperatorFunction<string>) : retryTransient<string>(node.config),
      ),
    );
    return begin$.pipe(
      concatMap((scanId) => collectScan(node, scanId)),
      repeat({ delay: () => timer(node.config.poll.minIntervalMs, node.scheduler) }),
      filter((offer) => {
        if (seen.has(offer.offerId)) return false;
        seen.add(offer.offerId);
        return true;
      }),
    );
  }).pipe(
    takeUntil(node.stopping$),
    share({ resetOnError: true, resetOnComplete: true, resetOnRefCountZero: true }),
  );
}

/**
 * `beginScan`, made safe to cancel: a subscriber that leaves does not abort the POST (the scan may
 * exist already); the scan it begins is then ended when it lands. `close()` waits for it.
 */
function beginScan(node: ResourceNode, constraints: string | undefined): Observable<string> {
  return new Observable<string>((subscriber) => {
    let left = false;
    node
      .creating(
        fromCall((signal) =>
          node.api.market.beginScan(
            { type: 'offer', constraints, timeout: SCAN_IDLE_TIMEOUT_SEC },
            { signal },
          ),
        ),
      )
      .subscribe({
        next: (scanId) => (left ? endScan(node, scanId) : subscriber.next(scanId)),
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    return () => {
      left = true;
    };
  });
}

/** The scan's offers; completes when yagna has lost it; ends it when left or failed. */
function collectScan(node: ResourceNode, scanId: string): Observable<OfferDto> {
  return defer(() => {
    let gone = false;
    const name = `scan:${scanId}`;
    return consumingQueueSource<OfferDto>({
      name,
      fetchBatch: (signal) =>
        node.api.market.collectScanResults(scanId, { timeout: node.config.pollTimeoutSec }, { signal }),
      keyOf: (offer) => offer.offerId,
      onHealth: (health) => node.events.emit(new SourceHealthChanged(name, health)),
      ...node.config.poll,
    }).events$.pipe(
      tap({ complete: () => (gone = true) }),
      finalize(() => {
        if (!gone) endScan(node, scanId);
      }),
    );
  });
}

/**
 * Ends a scan in the background; a scan already gone is fine, another failure an event. Counted
 * as the node's calls in flight (`node.creating`), so that `close()` returns once it is done.
 */
function endScan(node: ResourceNode, scanId: string): void {
  node
    .creating(voidCall((signal) => node.api.market.endScan(scanId, { signal })))
    .pipe(tolerate(isGone))
    .subscribe({ error: (error: unknown) => node.events.emit(new ScanEndFailed(scanId, error)) });
}
