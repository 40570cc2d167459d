import { Decimal } from 'decimal.js';
import {
  Observable,
  type OperatorFunction,
  type SchedulerLike,
  type Subscription,
  asyncScheduler,
} from 'rxjs';
import type { EngineEvent, ProposalRejection } from './events.js';

/** The diagnostic of a job stuck at the market. */
export interface NoOffersReport {
  readonly type: 'noOffers';
  /** How long no agreement was signed, in ms. */
  readonly afterMs: number;
  /** The subnet the demand was published on. */
  readonly subnet: string | undefined;
  /** Offers received in that time. */
  readonly proposalsReceived: number;
  /** Why the offers of that time went no further, by reason. */
  readonly rejections: Readonly<Record<ProposalRejection, number>>;
  /** The likely causes, most likely first. */
  readonly likelyCauses: readonly string[];
}

/** The summary of a finished job. */
export interface JobSummaryReport {
  readonly type: 'summary';
  /** Providers whose offers were seen. */
  readonly providersSeen: number;
  /** Agreements signed. */
  readonly agreements: number;
  /** Tasks done, by provider. */
  readonly tasksPerProvider: Readonly<Record<string, number>>;
  /** Tasks by outcome. */
  readonly tasks: { readonly finished: number; readonly failed: number };
  /** Failures along the way. */
  readonly failures: {
    readonly retries: number;
    readonly workers: number;
    readonly agreements: number;
    readonly activities: number;
    readonly payments: number;
    readonly excludedProviders: number;
  };
  /** What the job paid, in GLM. */
  readonly totalCost: Decimal;
  /** Set when the job stopped early. */
  readonly stopped: string | undefined;
}

/** What {@link summarize} emits. */
export type SummaryReport = NoOffersReport | JobSummaryReport;

/** Options of {@link summarize}. */
export interface SummarizeConfig {
  /**
   * After how long a demand (a first one, or a fresh one when more providers are needed) may go
   * without a signed agreement before a `noOffers` diagnostic, in ms.
   * @default 30_000
   */
  noOffersTimeout?: number;
  /** The clock of that timer. @default asyncScheduler */
  scheduler?: SchedulerLike;
}

const emptyRejections = (): Record<ProposalRejection, number> => ({
  score: 0,
  expired: 0,
  provider: 0,
  counter: 0,
  draft: 0,
});

function causes(
  subnet: string | undefined,
  received: number,
  rejections: Record<ProposalRejection, number>,
): string[] {
  if (received === 0) {
    return [
      `no offer arrived: are providers on subnet "${subnet ?? 'public'}"? Providers of another subnet never see the demand`,
      'the payload constraints may match no provider',
    ];
  }
  const list: string[] = [];
  if (rejections.score > 0)
    list.push(
      `the strategy dropped ${rejections.score} of ${received} offers: its price caps or filters may be too strict`,
    );
  if (rejections.counter > 0)
    list.push(
      `providers rejected ${rejections.counter} counter-proposals (payment platform, debit-note terms, busy)`,
    );
  if (rejections.expired > 0) list.push(`${rejections.expired} offers expired before their turn`);
  if (list.length === 0)
    list.push('offers arrived but no agreement was approved: check approval timeouts and provider limits');
  return list;
}

/**
 * Summarizes a job's event stream: a `noOffers` diagnostic whenever a demand goes
 * `noOffersTimeout` without a signed agreement while no worker runs (with the likely causes: the subnet, the
 * strategy's price caps, the providers' rejections, with counts), and a `summary` when the job is
 * `done` (or the stream ends): providers seen, agreements, tasks per provider, failures and total
 * cost.
 *
 * ```text
 * source:   -j-p---------(30 s)----s--…-d|     p demandPublished · s agreementSigned · d done
 * result:   --------------N-----------------(S|)   N noOffers · S summary
 * ```
 *
 * Cold; completes with the source (after the summary); errors with it.
 *
 * @param config see {@link SummarizeConfig}
 * @returns an operator from engine events to reports
 *
 * @example
 * ```ts
 * mapTasks(node, worker, data, options).pipe(summarize()).subscribe((r) => console.log(r));
 * ```
 *
 * @see {@link SummaryLogger}
 */
export function summarize<D, R>(
  config: SummarizeConfig = {},
): OperatorFunction<EngineEvent<D, R>, SummaryReport> {
  const timeoutMs = config.noOffersTimeout ?? 30_000;
  const scheduler = config.scheduler ?? asyncScheduler;
  return (source) =>
    new Observable<SummaryReport>((subscriber) => {
      const providers = new Set<string>();
      const perProvider: Record<string, number> = {};
      const failures = {
        retries: 0,
        workers: 0,
        agreements: 0,
        activities: 0,
        payments: 0,
        excludedProviders: 0,
      };
      const tasks = { finished: 0, failed: 0 };
      let agreements = 0;
      let alive = 0;
      let subnet: string | undefined;
      let totalCost = new Decimal(0);
      let stopped: string | undefined;
      let summarized = false;
      let timer: Subscription | undefined;
      let window = { received: 0, rejections: emptyRejections() };

      const arm = (): void => {
        timer?.unsubscribe();
        window = { received: 0, rejections: emptyRejections() };
        timer = scheduler.schedule(() => {
          timer = undefined;
          if (alive > 0) return;
          subscriber.next({
            type: 'noOffers',
            afterMs: timeoutMs,
            subnet,
            proposalsReceived: window.received,
            rejections: { ...window.rejections },
            likelyCauses: causes(subnet, window.received, window.rejections),
          });
        }, timeoutMs);
      };
      const summary = (): void => {
        if (summarized) return;
        summarized = true;
        timer?.unsubscribe();
        subscriber.next({
          type: 'summary',
          providersSeen: providers.size,
          agreements,
          tasksPerProvider: { ...perProvider },
          tasks: { ...tasks },
          failures: { ...failures },
          totalCost,
          stopped,
        });
      };
      subscriber.add(() => timer?.unsubscribe());
      subscriber.add(
        source.subscribe({
          next: (event) => {
            switch (event.type) {
              case 'jobStarted':
                subnet = event.subnet;
                return;
              case 'demandPublished':
                if (timer === undefined) arm();
                return;
              case 'proposalReceived':
                providers.add(event.providerId);
                window.received++;
                return;
              case 'proposalRejected':
                window.rejections[event.reason]++;
                return;
              case 'agreementSigned':
                agreements++;
                timer?.unsubscribe();
                timer = undefined;
                return;
              case 'agreementFailed':
                failures.agreements++;
                return;
              case 'activityFailed':
                failures.activities++;
                return;
              case 'workerStarted':
                alive++;
                return;
              case 'workerFinished':
                alive--;
                if (event.error !== undefined) failures.workers++;
                return;
              case 'providerExcluded':
                failures.excludedProviders++;
                return;
              case 'taskFinished':
                tasks.finished++;
                perProvider[event.providerId] = (perProvider[event.providerId] ?? 0) + 1;
                return;
              case 'taskRetried':
                failures.retries++;
                return;
              case 'taskFailed':
                tasks.failed++;
                return;
              case 'paymentRefused':
                failures.payments++;
                return;
              case 'done':
                totalCost = event.totalCost;
                stopped = event.stopped;
                summary();
                return;
              default:
                return;
            }
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => {
            summary();
            subscriber.complete();
          },
        }),
      );
    });
}
