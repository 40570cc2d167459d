// Benchmark of the spending operators on the in-memory yagna (golem-rx/testing), in virtual time:
// - proposals/s through score → negotiate → createAgreement (every call scheduled on a
//   VirtualTimeScheduler, flushed at once: the figure is CPU cost, no real waiting);
// - requestor heap after 1M proposals have flowed through `score`, and while `score` holds them.
// Prints figures, asserts nothing about time. Run alone with `npx tsx bench/operators.ts`, or with
// `node --expose-gc --import tsx bench/operators.ts` for exact heap figures.
// Issue 15's target 2 (offers/s through score → negotiate alone, and over HTTP) is bench/lineRate.ts.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Observable, VirtualTimeScheduler, count, lastValueFrom, take } from 'rxjs';
import { createAgreement } from '../src/operators/createAgreement.js';
import { negotiate } from '../src/operators/negotiate.js';
import { score } from '../src/operators/score.js';
import type { OfferProposal } from '../src/ports/index.js';
import { leastExpensiveLinearPayu } from '../src/strategies/leastExpensiveLinearPayu.js';
import { createInMemoryYagna } from '../src/testing/inMemoryYagna.js';
import { offerProperties } from '../src/testing/offers.js';
import { fmt, header, line } from './devnet.js';

const PROVIDERS = 20_000;
const FLOWED = 1_000_000;
const HELD = 200_000;

/** The proposals of `n` providers with spread prices, through the pipeline; returns wall ms and agreements. */
async function throughput(
  n: number,
  concurrency: number,
  options: { minProposals?: number; take?: number } = {},
): Promise<{ ms: number; agreements: number; virtualMs: number; countersSent: number }> {
  const scheduler = new VirtualTimeScheduler();
  const yagna = createInMemoryYagna({ scheduler });
  for (let i = 0; i < n; i++) {
    yagna.addProvider({ price: { start: 0, cpuSec: (1 + ((i * 7919) % n)) / 1e7, durationSec: '0.00001' } });
  }
  const strategy = leastExpensiveLinearPayu({ expectedTimeSecs: 600 });
  const agreements$ = yagna.proposals$.pipe(
    score(strategy, {
      scheduler,
      ...(options.minProposals === undefined ? {} : { minProposals: options.minProposals }),
    }),
    negotiate(concurrency, { scheduler }),
    createAgreement({ concurrency, scheduler }),
    take(options.take ?? Infinity),
    count(),
  );
  const t0 = performance.now();
  const done = lastValueFrom(agreements$);
  scheduler.flush();
  const agreements = await done;
  return {
    ms: performance.now() - t0,
    agreements,
    virtualMs: scheduler.now(),
    countersSent: yagna.stats.countersSent,
  };
}

const gc = (globalThis as { gc?: () => void }).gc;
function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}
const mb = (bytes: number): string => fmt(bytes / 1024 / 1024, 1);

/** A synchronous source of `n` light proposals sharing one properties object; completes if told. */
function proposals(n: number, complete: boolean): Observable<OfferProposal & { readonly n: number }> {
  const properties = offerProperties({ price: { cpuSec: '0.0001' } });
  const never = new Observable<never>();
  return new Observable((subscriber) => {
    for (let i = 0; i < n && !subscriber.closed; i++) {
      subscriber.next({
        id: `p${i}`,
        providerId: `provider-${i}`,
        properties,
        n: i,
        respond: () => never,
        reject: () => never,
      });
    }
    if (complete) subscriber.complete();
  });
}

async function heap(): Promise<void> {
  if (!gc)
    console.log(
      '  (no global.gc: run with node --expose-gc --import tsx bench/operators.ts for exact figures)',
    );
  const before = heapUsed();
  let seen = 0;
  const t0 = performance.now();
  proposals(FLOWED, true)
    .pipe(score((p) => p.n % 1000))
    .subscribe({ next: () => seen++, error: (error: unknown) => console.error(error) });
  const ms = performance.now() - t0;
  const after = heapUsed();
  console.log(
    line(
      `${fmt(FLOWED)} proposals through score, passed on`,
      fmt(FLOWED / (ms / 1000)),
      '/s',
      `${fmt(seen)} emitted`,
    ),
  );
  console.log(
    line(
      '  heap before → after',
      `${mb(before)} → ${mb(after)}`,
      'MB',
      `${fmt((after - before) / FLOWED, 2)} bytes per proposal retained`,
    ),
  );

  // score holding every proposal (minProposals never reached): the cost of the hold-back heap
  const base = heapUsed();
  const held = proposals(HELD, false)
    .pipe(score((p) => p.n % 1000, { minProposals: Infinity }))
    .subscribe({ error: (error: unknown) => console.error(error) });
  const holding = heapUsed();
  held.unsubscribe();
  const released = heapUsed();
  console.log(
    line(
      `${fmt(HELD)} proposals held by score (minProposals ∞)`,
      `${mb(base)} → ${mb(holding)} → ${mb(released)}`,
      'MB',
      `${fmt((holding - base) / HELD)} bytes per held proposal incl. the proposal; after unsubscribe`,
    ),
  );
}

/** Runs the operators bench and prints its figures. */
export async function benchOperators(): Promise<void> {
  header(
    `score → negotiate → createAgreement on the in-memory yagna (virtual time, ${fmt(PROVIDERS)} providers)`,
  );
  for (const concurrency of [1, 16]) {
    const r = await throughput(PROVIDERS, concurrency);
    console.log(
      line(
        `every proposal signed, negotiate(${concurrency})`,
        fmt(PROVIDERS / (r.ms / 1000)),
        'prop/s',
        `${fmt(r.agreements)} agreements in ${fmt(r.ms)} ms wall, ${fmt(r.virtualMs / 1000)} s virtual`,
      ),
    );
  }
  const best = await throughput(PROVIDERS, 16, { minProposals: PROVIDERS, take: 50 });
  console.log(
    line(
      `hold all, best 50 of ${fmt(PROVIDERS)}, negotiate(16)`,
      fmt(PROVIDERS / (best.ms / 1000)),
      'prop/s',
      `${fmt(best.ms)} ms wall, ${best.countersSent} counters sent for ${best.agreements} agreements`,
    ),
  );
  header('requestor heap');
  await heap();
}

const invoked = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invoked) {
  benchOperators().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
