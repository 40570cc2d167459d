import { type MonoTypeOperatorFunction, connect, ignoreElements, merge, tap } from 'rxjs';
import type { EngineEvent } from './events.js';
import { type SummarizeConfig, type SummaryReport, summarize } from './summarize.js';

/** Options of {@link SummaryLogger}. */
export interface SummaryLoggerOptions extends SummarizeConfig {
  /**
   * Where lines go.
   * @default console.log
   */
  write?: (line: string) => void;
}

function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}

/**
 * Writes the {@link summarize} reports of a job as readable lines: the `noOffers` diagnostics as
 * they happen, and the summary at the end. `logger.tap()` passes the job's events through
 * unchanged.
 *
 * @example
 * ```ts
 * const logger = new SummaryLogger({ write: (line) => process.stderr.write(`${line}\n`) });
 * mapTasks(node, worker, data, options).pipe(logger.tap(), taskResults()).subscribe(handle);
 * // 14 tasks done, 1 failed · 5 providers seen · 3 agreements · cost 0.0123 GLM
 * ```
 *
 * @see {@link summarize}
 */
export class SummaryLogger {
  private readonly write: (line: string) => void;

  /** @param options see {@link SummaryLoggerOptions} */
  constructor(private readonly options: SummaryLoggerOptions = {}) {
    this.write = options.write ?? ((line) => console.log(line));
  }

  /** Passes the events through, writing the reports of {@link summarize} on the way. */
  tap<D, R>(): MonoTypeOperatorFunction<EngineEvent<D, R>> {
    return connect((events$) =>
      merge(
        events$,
        events$.pipe(
          summarize<D, R>(this.options),
          tap((report) => {
            for (const line of this.format(report)) this.write(line);
          }),
          ignoreElements(),
        ),
      ),
    );
  }

  /** The lines of one report. */
  format(report: SummaryReport): string[] {
    if (report.type === 'noOffers') {
      const r = report.rejections;
      return [
        `No agreement after ${Math.round(report.afterMs / 1000)} s: ${report.proposalsReceived} offers received on subnet "${report.subnet ?? 'public'}" ` +
          `(rejected: ${r.score} by the strategy, ${r.counter} by providers, ${r.expired} expired)`,
        ...report.likelyCauses.map((cause) => `  - ${cause}`),
      ];
    }
    const { tasks, failures } = report;
    const lines = [
      `${tasks.finished} tasks done, ${tasks.failed} failed · ${report.providersSeen} providers seen · ` +
        `${report.agreements} agreements · cost ${report.totalCost.toString()} GLM` +
        (report.stopped === undefined ? '' : ` · stopped: ${report.stopped}`),
    ];
    for (const [provider, count] of Object.entries(report.tasksPerProvider).sort((a, b) => b[1] - a[1])) {
      lines.push(`  ${shortId(provider)}: ${count} tasks`);
    }
    const { retries, workers, agreements, activities, payments, excludedProviders } = failures;
    if (retries + workers + agreements + activities + payments + excludedProviders > 0) {
      lines.push(
        `  failures: ${retries} retries, ${workers} workers, ${agreements} agreements, ${activities} activities, ` +
          `${payments} payments; ${excludedProviders} providers excluded`,
      );
    }
    return lines;
  }
}
