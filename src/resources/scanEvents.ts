/**
 * The bus event of `node.scan$`.
 *
 * @module
 */
import { GolemEvent } from '../bus/events.js';

/**
 * `node.scan$` could not end a market scan (`DELETE /scan/{id}`) when its last subscriber left or
 * the node closed. Nobody awaited it, so it is reported here instead of being swallowed; yagna
 * drops the scan itself once it has gone unused for its timeout.
 *
 * @example
 * ```ts
 * node.events.events$.pipe(ofType(ScanEndFailed)).subscribe((e) => console.warn(e.scanId, e.error));
 * ```
 */
export class ScanEndFailed extends GolemEvent {
  readonly type = 'ScanEndFailed' as const;

  /**
   * @param scanId the scan yagna may still hold
   * @param error what `endScan` failed with
   */
  constructor(
    readonly scanId: string,
    readonly error: unknown,
  ) {
    super();
  }
}
