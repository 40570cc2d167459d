import { GolemRxError, errorGuard } from './GolemRxError.js';

/**
 * A node was closed, but `close()` could not close or settle everything: some resources are left
 * open (`failures`), or some approved agreements are not paid (`unsettled`). The close report has
 * the details (`report`). A runnable that owns a node (`GolemNode.run()`, `runnableFromNode`)
 * fails with it, so that the web wiring and the CLI do not report a clean stop.
 *
 * @example
 * ```ts
 * await node.run().catch((e) => isIncompleteCloseError(e) && console.error(e.report.unsettled));
 * ```
 */
export class IncompleteCloseError extends GolemRxError {
  override readonly name = 'IncompleteCloseError' as const;
  /** How many resources were left open. */
  readonly failures: number;
  /** How many approved agreements were left unsettled. */
  readonly unsettled: number;
  /** The close report (`CloseReport` of `node.close()`). */
  readonly report: unknown;

  constructor(
    context: { failures: number; unsettled: number; report: unknown },
    options?: { cause?: unknown },
  ) {
    super(
      `close() left ${context.failures} resource(s) open and ${context.unsettled} agreement(s) unsettled`,
      options,
    );
    this.failures = context.failures;
    this.unsettled = context.unsettled;
    this.report = context.report;
  }
}

/** Is `err` an {@link IncompleteCloseError} (by class, or by name across realms)? */
export const isIncompleteCloseError = errorGuard(IncompleteCloseError, 'IncompleteCloseError');

/**
 * Throws an {@link IncompleteCloseError} when `report` is a close report (`{ ok, failures,
 * unsettled? }`) that is not `ok`; does nothing otherwise.
 */
export function assertCleanClose(report: unknown): void {
  if (typeof report !== 'object' || report === null || !('ok' in report) || report.ok !== false) return;
  const count = (key: string): number => {
    const list = (report as Record<string, unknown>)[key];
    return Array.isArray(list) ? list.length : 0;
  };
  throw new IncompleteCloseError({ failures: count('failures'), unsettled: count('unsettled'), report });
}
