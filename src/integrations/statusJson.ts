import type { RunnableState } from './Runnable.js';
import { describeError, stringField } from './statusFields.js';
import type { MarketStage, StatusFailure, StatusState, TrackedResource } from './statusModel.js';

/**
 * The overall state: `crashed` when a runnable crashed, else `running`/`stopping` while any runs
 * or stops, `stopped` when all stopped cleanly; without runnables, the node's state decides.
 */
export type OverallStatus = 'idle' | 'running' | 'stopping' | 'stopped' | 'crashed';

/** A runnable in the JSON status. */
export interface RunnableJson {
  readonly name: string;
  readonly state: RunnableState;
  /** ISO 8601. */
  readonly startedAt?: string;
  /** ISO 8601. */
  readonly stoppedAt?: string;
  readonly stopReason?: string;
  /** `{ name, message }` of the error that crashed it (no stack). */
  readonly lastError?: { readonly name: string; readonly message: string };
}

/** The JSON the status handlers serve and the dashboard receives. Amounts are decimal strings. */
export interface StatusJson {
  readonly status: OverallStatus;
  /** ISO 8601 time of the last change. */
  readonly updatedAt: string;
  readonly node: StatusState['node'];
  readonly unhealthySources: readonly string[];
  readonly demands: StatusState['demands'];
  readonly proposals: StatusState['proposals'];
  readonly agreements: { readonly total: number; readonly byState: Readonly<Record<string, number>> };
  readonly activities: { readonly total: number; readonly byState: Readonly<Record<string, number>> };
  readonly spend: {
    /** Decimal string, in GLM. */
    readonly total: string;
    /** `{ at: ISO 8601, total: decimal string }` each time the total changed. */
    readonly series: readonly { readonly at: string; readonly total: string }[];
  };
  /** One line per provider; `arrivedAt`/`updatedAt` ISO 8601. */
  readonly market: readonly {
    readonly providerId: string;
    readonly proposalId: string;
    readonly score?: number;
    readonly stage: MarketStage;
    readonly arrivedAt: string;
    readonly updatedAt: string;
  }[];
  readonly failures: readonly (Omit<StatusFailure, 'at'> & { readonly at: string })[];
  readonly runnables: readonly RunnableJson[];
}

/**
 * The status model as JSON-ready data: amounts as decimal strings, times as ISO 8601, errors as
 * `{ name, message }`, agreements and activities counted by state.
 *
 * @param state - the model.
 * @returns plain data for `JSON.stringify`.
 */
export function toStatusJson(state: StatusState): StatusJson {
  const runnables = Object.values(state.runnables).map((r): RunnableJson => ({
    name: r.name,
    state: r.state,
    ...(r.startedAt === undefined ? {} : { startedAt: iso(r.startedAt) }),
    ...(r.stoppedAt === undefined ? {} : { stoppedAt: iso(r.stoppedAt) }),
    ...(r.stopReason === undefined ? {} : { stopReason: r.stopReason }),
    ...(r.lastError === undefined ? {} : { lastError: errorJson(r.lastError) }),
  }));
  return {
    status: overall(state, runnables),
    updatedAt: iso(state.updatedAt),
    node: state.node,
    unhealthySources: state.unhealthySources,
    demands: state.demands,
    proposals: state.proposals,
    agreements: countByState(state.agreements),
    activities: countByState(state.activities),
    spend: {
      total: state.spend.total.toFixed(),
      series: state.spend.series.map((p) => ({ at: iso(p.at), total: p.total.toFixed() })),
    },
    market: state.market.map((e) => ({ ...e, arrivedAt: iso(e.arrivedAt), updatedAt: iso(e.updatedAt) })),
    failures: state.failures.map((f) => ({ ...f, at: iso(f.at) })),
    runnables,
  };
}

function overall(state: StatusState, runnables: readonly RunnableJson[]): OverallStatus {
  if (runnables.some((r) => r.state === 'failed')) return 'crashed';
  if (runnables.some((r) => r.state === 'stopping')) return 'stopping';
  if (runnables.some((r) => r.state === 'running')) return 'running';
  if (runnables.length > 0 && runnables.every((r) => r.state === 'stopped')) return 'stopped';
  if (state.node === 'started') return 'running';
  if (state.node === 'closing') return 'stopping';
  if (state.node === 'closed') return 'stopped';
  return 'idle';
}

function countByState(resources: Readonly<Record<string, TrackedResource>>): {
  total: number;
  byState: Record<string, number>;
} {
  const byState: Record<string, number> = {};
  let total = 0;
  for (const { state } of Object.values(resources)) {
    byState[state] = (byState[state] ?? 0) + 1;
    total++;
  }
  return { total, byState };
}

function errorJson(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return {
    name: stringField(error, 'name') ?? 'Error',
    message: stringField(error, 'message') ?? describeError(error),
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
