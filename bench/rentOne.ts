// Benchmark of renting one provider (issue 11 item 8, issue 15 item 4): every yagna call of the
// whole flow, by phase, at 0 ms and 5 ms of added latency, next to the round-trip limit.
// The flow is the README's Quick start for one provider: start, allocation, `node.demand$(…)
// .pipe(score, negotiate(n), createAgreement(), createActivity(), take(1))`, one command, close
// (terminate, pay the invoice, release). Run alone with `npx tsx bench/rentOne.ts`.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { lastValueFrom, take, toArray } from 'rxjs';
import { createYagnaApi, type YagnaExchange } from '../src/api/index.js';
import { createActivity, createAgreement, negotiate, score } from '../src/operators/index.js';
import { GolemNode } from '../src/node/index.js';
import { fmt, header, line, spawnDevnet } from './devnet.js';

/** The budget of issue 11: renting one provider takes at most this many yagna calls. */
const CALL_BUDGET = 30;

/** Which phase of the rental a call belongs to, by its endpoint. */
function phaseOf(method: string, path: string): string {
  if (path === '/me') return 'start';
  if (
    path.includes('requestorAccounts') ||
    (path.startsWith('/payment-api/v1/allocations') && method === 'POST')
  )
    return 'allocation';
  if (path.includes('demandDecorations') || (path === '/market-api/v1/demands' && method === 'POST'))
    return 'publish demand';
  if (path.includes('/demands/{subscriptionId}/events')) return 'collect offers/drafts';
  if (path.includes('/proposals/')) return 'counter / reject';
  if (path.startsWith('/market-api/v1/agreements') && !path.endsWith('/terminate')) return 'agreement';
  if (path.startsWith('/activity-api')) return method === 'DELETE' ? 'close' : 'activity + command';
  if (path.endsWith('/terminate') || (path.startsWith('/market-api/v1/demands/') && method === 'DELETE'))
    return 'close';
  if (path.startsWith('/payment-api/v1/allocations') && method === 'DELETE') return 'release';
  if (path.startsWith('/payment-api')) return 'payment';
  return 'other';
}

/**
 * The calls that must follow each other, at the least: start, accounts, allocation, decorations,
 * subscribe, the collect bringing the offer, counter, the collect bringing the draft, create,
 * confirm, wait, create activity, exec deploy+start, its result, exec, its result, destroy,
 * terminate, the invoice event, the invoice, accept, release.
 */
const CRITICAL_TRIPS = 22;

interface RentResult {
  readonly calls: readonly { method: string; path: string; status: number | undefined }[];
  readonly ms: number;
}

async function rentOne(latency: number, slots: number): Promise<RentResult> {
  const devnet = await spawnDevnet({ providers: 20, latency, seed: 3 });
  try {
    const calls: { method: string; path: string; status: number | undefined }[] = [];
    const onExchange = (e: YagnaExchange): void =>
      void calls.push({ method: e.method, path: e.pathTemplate, status: e.status });
    const api = createYagnaApi({ url: devnet.url, appKey: devnet.appKey, onExchange }, {});
    const t0 = performance.now();
    const node = await new GolemNode({ api, apiUrl: devnet.url, appKey: devnet.appKey, env: {} }).start();
    const allocation = await node.createAllocation({ amount: 2 });
    const [activity] = await lastValueFrom(
      node.demand$({ payload: {}, allocations: [allocation] }).pipe(
        score(() => 1),
        negotiate(slots),
        createAgreement(),
        createActivity(),
        take(1),
        toArray(),
      ),
    );
    await activity!.run('echo hello');
    const report = await node.close();
    if (!report.ok) throw new Error(`rent-one: close() reported ${JSON.stringify(report)}`);
    return { calls, ms: performance.now() - t0 };
  } finally {
    await devnet.stop();
  }
}

function printRun(title: string, result: RentResult, latency: number): void {
  header(title);
  const phases = new Map<string, number>();
  for (const { method, path } of result.calls) {
    const phase = phaseOf(method, path);
    phases.set(phase, (phases.get(phase) ?? 0) + 1);
  }
  for (const [phase, count] of phases) console.log(line(phase, fmt(count), 'calls'));
  const aborted = result.calls.filter((c) => c.status === undefined).length;
  console.log(
    line('all calls', fmt(result.calls.length), 'calls', `${aborted} long-polls aborted at the end`),
  );
  const limit = CRITICAL_TRIPS * latency; // devnet adds `latency` to each call
  const note =
    latency === 0
      ? 'no added latency'
      : `${fmt(result.ms / limit, 2)}× the ${fmt(limit)} ms round-trip limit`;
  console.log(line('wall time', fmt(result.ms), 'ms', note));
}

/** Prints the calls per phase and the wall time of renting one provider. */
export async function benchRentOne(): Promise<void> {
  for (const latency of [0, 5]) {
    const one = await rentOne(latency, 1);
    printRun(`rent one provider, negotiate(1), latency ${latency} ms`, one, latency);
    const four = await rentOne(latency, 4);
    printRun(`rent one provider, the Quick start's negotiate(4), latency ${latency} ms`, four, latency);
    if (latency === 0) {
      const met = one.calls.length <= CALL_BUDGET ? 'met' : 'NOT met';
      console.log(
        `\n  target: at most ${CALL_BUDGET} calls to rent one provider: ${met} (${one.calls.length})`,
      );
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchRentOne();
