// Where the time of `score → negotiate → createAgreement` goes: a tracing wrapper around the yagna
// client (every call with its start and end), the phases of each agreement rebuilt from the trace
// (offer seen → counter sent → counter answered → draft seen → agreement created → confirmed →
// approved) with the idle gaps between them, and the round-trip limit of the same run: what a
// requestor with no CPU cost and no idle gap would take with the same round trips and the same
// provider decisions (think time, approval delay) as this run.
import { performance } from 'node:perf_hooks';
import type { YagnaApi } from '../src/api/index.js';
import type { MarketEventDto } from '../src/api/types/index.js';
import { fmt } from './devnet.js';

/** One client call: which function, its arguments, when it started and ended (epoch ms, µs precision). */
export interface TracedCall {
  readonly group: string;
  readonly fn: string;
  readonly args: readonly unknown[];
  readonly t0: number;
  t1: number | undefined;
  ok: boolean | undefined;
  value: unknown;
}

/** Epoch milliseconds with sub-millisecond precision (comparable with devnet's microsecond stamps). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Wraps every function of every group of `api` to record the calls in `calls`. */
export function traceApi(api: YagnaApi, calls: TracedCall[]): YagnaApi {
  const wrap = <G extends object>(group: string, target: G): G =>
    new Proxy(target, {
      get(obj, key, receiver) {
        const value: unknown = Reflect.get(obj, key, receiver);
        if (typeof value !== 'function' || typeof key !== 'string') return value;
        return (...args: unknown[]): unknown => {
          const call: TracedCall = {
            group,
            fn: key,
            args,
            t0: nowMs(),
            t1: undefined,
            ok: undefined,
            value: undefined,
          };
          calls.push(call);
          const result: unknown = Reflect.apply(value as (...a: unknown[]) => unknown, obj, args);
          if (result instanceof Promise) {
            result.then(
              (v: unknown) => {
                call.t1 = nowMs();
                call.ok = true;
                call.value = v;
              },
              (e: unknown) => {
                call.t1 = nowMs();
                call.ok = false;
                call.value = e;
              },
            );
          }
          return result;
        };
      },
    });
  return {
    ...api,
    market: wrap('market', api.market),
    payment: wrap('payment', api.payment),
    activity: wrap('activity', api.activity),
    identity: wrap('identity', api.identity),
    version: wrap('version', api.version),
  };
}

/** Epoch ms of a devnet ISO stamp with microseconds (`…T15:00:01.123456Z`). */
function stampMs(iso: string): number {
  const m = /\.(\d+)Z$/.exec(iso);
  const base = Date.parse(iso.replace(/\.\d+Z$/, 'Z'));
  return m === null ? base : base + Number(`0.${m[1]}`) * 1000;
}

/** One agreement's life, rebuilt from the trace (epoch ms). */
export interface AgreementChain {
  readonly offerId: string;
  readonly offerSeen: number;
  readonly counterSent: number;
  readonly counterAnswered: number;
  /** When devnet took the counter, at the latest: its answer. */
  readonly counterTaken: number;
  /** When the provider answered (devnet's stamp on the draft). */
  readonly providerAnswered: number;
  readonly draftSeen: number;
  readonly createSent: number;
  readonly created: number;
  readonly confirmSent: number;
  readonly confirmed: number;
  readonly waitSent: number;
  /** When the provider approved (devnet's stamp on the approval event), if the node saw it. */
  readonly providerApproved: number | undefined;
  readonly approved: number;
}

/** A negotiation that did not become an agreement (counter rejected or failed, agreement not approved). */
export interface FailedChain {
  readonly counterSent: number;
  /** When the slot freed, as seen by the client. */
  readonly ended: number;
  /** The provider's part (think time, approval delay), as far as known. */
  readonly providerMs: number;
  /** Sequential round trips it took. */
  readonly trips: number;
}

/** The timeline of one run. */
export interface Timeline {
  readonly t0: number;
  readonly chains: readonly AgreementChain[];
  readonly failed: readonly FailedChain[];
  /** Calls that started before the first counter, in order. */
  readonly setup: readonly TracedCall[];
  /** The longest chain of calls before the first counter where each starts after the one before ended. */
  readonly setupDepth: number;
  /** `collectOffers` calls until the first counter, and how many overlapped another one. */
  readonly setupCollects: number;
}

const isAbort = (error: unknown): boolean => error instanceof Error && error.name === 'AbortError';

const ended = (c: TracedCall): c is TracedCall & { t1: number } => c.t1 !== undefined;

/**
 * devnet's own stamps, read after the run: when each agreement was approved. (When devnet took a
 * counter is not readable after the run, the demand being gone: the counter's answer stands in for
 * it, which makes the think time and so the limit a little shorter than they were.)
 */
export interface ProviderStamps {
  /** Agreement id → its `approvedDate`, epoch ms. */
  readonly approvals: ReadonlyMap<string, number>;
}

/** Reads, after the run (outside the timed part), the approvals' stamps with `GET /agreements/{id}`. */
export async function readProviderStamps(
  api: YagnaApi,
  calls: readonly TracedCall[],
  t0: number,
): Promise<ProviderStamps> {
  const approvals = new Map<string, number>();
  await Promise.all(
    calls
      .filter((c) => c.t0 >= t0 && c.ok === true && c.fn === 'waitForApproval')
      .map(async (c) => {
        const dto = await api.market.getAgreement(c.args[0] as string);
        if (dto.approvedDate !== undefined) approvals.set(c.args[0] as string, stampMs(dto.approvedDate));
      }),
  );
  return { approvals };
}

/** Rebuilds the per-agreement timeline of a run that started at `t0`. */
export function buildTimeline(calls: readonly TracedCall[], t0: number, stamps: ProviderStamps): Timeline {
  const during = calls.filter((c) => c.t0 >= t0);
  const offerSeen = new Map<string, number>();
  const draftOf = new Map<string, { id: string; seen: number; stamp: number }>(); // counter id → draft
  const rejectedAt = new Map<string, { seen: number; stamp: number }>(); // counter id → rejection
  const counters = new Map<string, TracedCall>(); // offer id → counter call
  const creates = new Map<string, TracedCall>(); // draft id → createAgreement call
  const confirms = new Map<string, TracedCall>(); // agreement id → confirm call
  const waits = new Map<string, TracedCall[]>(); // agreement id → wait calls
  for (const call of during) {
    if (call.fn === 'collectOffers' && call.ok === true && ended(call)) {
      for (const event of call.value as MarketEventDto[]) {
        if (event.eventType === 'ProposalEvent') {
          const p = event.proposal;
          if (p.prevProposalId === undefined) {
            if (!offerSeen.has(p.proposalId)) offerSeen.set(p.proposalId, call.t1);
          } else {
            draftOf.set(p.prevProposalId, { id: p.proposalId, seen: call.t1, stamp: stampMs(p.timestamp) });
          }
        } else if (event.eventType === 'ProposalRejectedEvent') {
          rejectedAt.set(event.proposalId, { seen: call.t1, stamp: stampMs(event.eventDate) });
        }
      }
    } else if (call.fn === 'counterProposalDemand') counters.set(call.args[1] as string, call);
    else if (call.fn === 'createAgreement')
      creates.set((call.args[0] as { proposalId: string }).proposalId, call);
    else if (call.fn === 'confirmAgreement') confirms.set(call.args[0] as string, call);
    else if (call.fn === 'waitForApproval') {
      const id = call.args[0] as string;
      waits.set(id, [...(waits.get(id) ?? []), call]);
    }
  }
  const chains: AgreementChain[] = [];
  const failed: FailedChain[] = [];
  for (const [offerId, counter] of counters) {
    const seen = offerSeen.get(offerId);
    if (seen === undefined || !ended(counter)) continue;
    const counterId = counter.ok === true ? (counter.value as string) : undefined;
    const draft = counterId === undefined ? undefined : draftOf.get(counterId);
    if (draft === undefined) {
      const rejection = counterId === undefined ? undefined : rejectedAt.get(counterId);
      // a counter cut off by the end of the run (aborted, or never answered) is not a failure
      if (rejection === undefined && (counter.ok === true || isAbort(counter.value))) continue;
      failed.push({
        counterSent: counter.t0,
        ended: rejection?.seen ?? counter.t1,
        providerMs: rejection === undefined ? 0 : Math.max(0, rejection.stamp - counter.t1),
        trips: 1,
      });
      continue;
    }
    const create = creates.get(draft.id);
    const agreementId = create?.ok === true ? (create.value as string) : undefined;
    const confirm = agreementId === undefined ? undefined : confirms.get(agreementId);
    const waitCalls = agreementId === undefined ? [] : (waits.get(agreementId) ?? []);
    const lastWait = waitCalls.at(-1);
    const counterTaken = counter.t1;
    const think = Math.max(0, draft.stamp - counterTaken);
    if (
      create === undefined ||
      !ended(create) ||
      confirm === undefined ||
      !ended(confirm) ||
      lastWait === undefined ||
      !ended(lastWait) ||
      lastWait.ok !== true
    ) {
      const last = [lastWait, confirm, create].find((c) => c !== undefined && ended(c));
      if (last === undefined || last.ok === true || isAbort(last.value)) continue; // cut off by the end
      failed.push({
        counterSent: counter.t0,
        ended: last?.t1 ?? draft.seen,
        providerMs: think,
        trips: 1 + (create === undefined ? 0 : 1) + (confirm === undefined ? 0 : 2),
      });
      continue;
    }
    chains.push({
      offerId,
      offerSeen: seen,
      counterSent: counter.t0,
      counterAnswered: counter.t1,
      counterTaken,
      providerAnswered: draft.stamp,
      draftSeen: draft.seen,
      createSent: create.t0,
      created: create.t1,
      confirmSent: confirm.t0,
      confirmed: confirm.t1,
      waitSent: waitCalls[0]!.t0,
      providerApproved: agreementId === undefined ? undefined : stamps.approvals.get(agreementId),
      approved: lastWait.t1,
    });
  }
  chains.sort((a, b) => a.counterSent - b.counterSent);
  const firstCounter = Math.min(...[...counters.values()].map((c) => c.t0));
  const setup = during.filter((c) => c.t0 < firstCounter);
  // depth: longest sequence of setup calls each starting after the previous one ended
  const depth = new Map<TracedCall, number>();
  for (const call of setup) {
    let d = 1;
    for (const before of setup) {
      if (before === call) break;
      if (before.t1 !== undefined && before.t1 <= call.t0) d = Math.max(d, (depth.get(before) ?? 1) + 1);
    }
    depth.set(call, d);
  }
  return {
    t0,
    chains,
    failed,
    setup,
    setupDepth: Math.max(0, ...depth.values()),
    setupCollects: setup.filter((c) => c.fn === 'collectOffers').length,
  };
}

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** The phases of a chain (name, ms), in order; `idle` marks the gaps where no call is in flight. */
function phasesOf(c: AgreementChain): readonly { name: string; ms: number; idle: boolean }[] {
  const approval = c.providerApproved ?? c.approved;
  return [
    {
      name: 'offer seen → counter sent (held by score/negotiate)',
      ms: c.counterSent - c.offerSeen,
      idle: false,
    },
    { name: 'counter sent → answered (round trip)', ms: c.counterAnswered - c.counterSent, idle: false },
    {
      name: 'counter taken → provider answers (think time)',
      ms: c.providerAnswered - c.counterTaken,
      idle: false,
    },
    {
      name: 'provider answers → draft seen (poll delivery)',
      ms: c.draftSeen - c.providerAnswered,
      idle: true,
    },
    { name: 'draft seen → create sent', ms: c.createSent - c.draftSeen, idle: true },
    { name: 'create sent → created (round trip)', ms: c.created - c.createSent, idle: false },
    { name: 'created → confirm sent', ms: c.confirmSent - c.created, idle: true },
    { name: 'confirm sent → confirmed (round trip)', ms: c.confirmed - c.confirmSent, idle: false },
    { name: 'confirmed → wait sent', ms: c.waitSent - c.confirmed, idle: true },
    { name: 'confirmed → provider approves (approval delay)', ms: approval - c.confirmed, idle: false },
    { name: 'provider approves → approval seen', ms: c.approved - approval, idle: true },
  ];
}

/** Prints the aggregated timeline: median, p90 and max of each phase, and the idle gaps. */
export function printTimeline(timeline: Timeline, indent = '    '): void {
  const { chains } = timeline;
  if (chains.length === 0) {
    console.log(`${indent}(no complete agreement chain in the trace)`);
    return;
  }
  const setupEnd = Math.min(...chains.map((c) => c.counterSent));
  console.log(
    `${indent}setup until the first counter: ${fmt(setupEnd - timeline.t0, 1)} ms, ${timeline.setup.length} calls ` +
      `(${timeline.setupCollects} collectOffers), ${timeline.setupDepth} in sequence`,
  );
  console.log(
    `${indent}${'phase of one agreement (ms)'.padEnd(54)} ${'median'.padStart(7)} ${'p90'.padStart(7)} ${'max'.padStart(7)}`,
  );
  const table = chains.map(phasesOf);
  let idleMedian = 0;
  for (let i = 0; i < table[0]!.length; i++) {
    const { name, idle } = table[0]![i]!;
    const values = table.map((row) => row[i]!.ms);
    const median = quantile(values, 0.5);
    if (idle) idleMedian += median;
    console.log(
      `${indent}${(idle ? `${name} [idle]` : name).padEnd(54)} ${fmt(median, 1).padStart(7)} ${fmt(quantile(values, 0.9), 1).padStart(7)} ${fmt(Math.max(...values), 1).padStart(7)}`,
    );
  }
  const total = chains.map((c) => c.approved - c.counterSent);
  console.log(
    `${indent}${'counter sent → approved'.padEnd(54)} ${fmt(quantile(total, 0.5), 1).padStart(7)} ${fmt(quantile(total, 0.9), 1).padStart(7)} ${fmt(Math.max(...total), 1).padStart(7)}`,
  );
  console.log(
    `${indent}idle gaps of one agreement, sum of medians: ${fmt(idleMedian, 1)} ms; ${timeline.failed.length} negotiation(s) failed`,
  );
}

/**
 * The round-trip limit of this run: the setup's round trips that must follow each other, then
 * each negotiation as a chain of round trips and the provider's own time (think time, approval
 * delay) as measured in this run, placed on the `slots` in the order the run started them, each
 * as soon as a slot is free. A chain of an agreement is: counter (1 trip), the provider thinks
 * (the draft comes back on a collect already waiting: no trip), create, confirm (1 trip each),
 * then the wait (1 trip or the approval delay, whichever is longer).
 */
export function roundTripLimit(
  timeline: Timeline,
  latency: number,
  slots: number,
  setupTrips: number,
): number {
  const jobs: { start: number; ms: number; ok: boolean }[] = [
    ...timeline.chains.map((c) => ({
      ok: true,
      start: c.counterSent,
      ms:
        3 * latency +
        Math.max(0, c.providerAnswered - c.counterTaken) +
        Math.max(latency, (c.providerApproved ?? c.confirmed) - c.confirmed),
    })),
    ...timeline.failed.map((f) => ({
      ok: false,
      start: f.counterSent,
      ms: f.trips * latency + f.providerMs,
    })),
  ].sort((a, b) => a.start - b.start);
  const free: number[] = Array.from({ length: slots }, () => setupTrips * latency);
  let end = setupTrips * latency;
  for (const job of jobs) {
    let at = 0;
    for (let i = 1; i < free.length; i++) if (free[i]! < free[at]!) at = i;
    free[at] = free[at]! + job.ms;
    if (job.ok) end = Math.max(end, free[at]!);
  }
  return end;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same draws. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What the expected round-trip limit is computed from: devnet's settings and the work. */
export interface ExpectedLimitInput {
  readonly latency: number;
  readonly slots: number;
  readonly agreements: number;
  readonly setupTrips: number;
  /** devnet's `thinkTimeMs` (uniform integer draws, as devnet's `delay`). */
  readonly thinkMs: readonly [number, number];
  /** devnet's `approvalDelayMs`. */
  readonly approvalMs: readonly [number, number];
  /** Monte Carlo samples. @default 4000 */
  readonly samples?: number;
}

/**
 * The round-trip limit expected from devnet's settings rather than from one run's draws: the mean,
 * over many seeded draws of think times and approval delays, of the time the last of `agreements`
 * chains ends when they are placed on `slots` as in {@link roundTripLimit}. It does not move with
 * the machine's load, as the limit read from a run does (a loaded devnet answers late, which hides
 * the provider's part of the time from the client's clock).
 */
export function expectedRoundTripLimit(input: ExpectedLimitInput): number {
  const { latency, slots, agreements, setupTrips, thinkMs, approvalMs, samples = 4_000 } = input;
  const random = seeded(15);
  const draw = ([min, max]: readonly [number, number]): number =>
    min + Math.floor(random() * (max - min + 1));
  let sum = 0;
  for (let s = 0; s < samples; s++) {
    const free: number[] = Array.from({ length: slots }, () => setupTrips * latency);
    let end = 0;
    for (let i = 0; i < agreements; i++) {
      let at = 0;
      for (let k = 1; k < free.length; k++) if (free[k]! < free[at]!) at = k;
      free[at] = free[at]! + 3 * latency + draw(thinkMs) + Math.max(latency, draw(approvalMs));
      end = Math.max(end, free[at]!);
    }
    sum += end;
  }
  return sum / samples;
}
