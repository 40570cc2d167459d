// Benchmark of the one-liner (issue 4): the time to 50 approved agreements out of 2,000 offers,
// `node.demand$(…).pipe(score(byPrice), negotiate(n), createAgreement(), take(50))`, on devnet
// (in a child process) at latency 0 and 5 ms, beside the round-trip limit: the round trips on the
// critical path × latency. Run alone with `npx tsx bench/pipeline.ts`, or call benchPipeline().
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { firstValueFrom, take, toArray } from 'rxjs';
import { createYagnaApi, type YagnaExchange } from '../src/api/index.js';
import { createAgreement, negotiate, type OfferProposal, score } from '../src/operators/index.js';
import { type Proposal } from '../src/resources/index.js';
import { GolemNode } from '../src/node/index.js';
import { fmt, header, line, spawnDevnet } from './devnet.js';

const OFFERS = 2_000;
const AGREEMENTS = 50;
const CONCURRENCIES = [4, 16] as const;
/** Round trips of one agreement, one after the other: counter, the collect bringing the draft, create, confirm, wait. */
const TRIPS_PER_AGREEMENT = 5;

/** Cheaper is better: `1 / (1 + Σ linear coefficients)`. */
function byPrice(proposal: OfferProposal): number | null {
  const coeffs = proposal.properties['golem.com.pricing.model.linear.coeffs'];
  if (!Array.isArray(coeffs) || !coeffs.every((c) => typeof c === 'number')) return null;
  return 1 / (1 + coeffs.reduce((a, b) => a + b, 0));
}

async function timeToAgreements(latency: number, concurrency: number): Promise<void> {
  const devnet = await spawnDevnet({ providers: OFFERS, latency, seed: 3 });
  try {
    const exchanges: { at: number; exchange: YagnaExchange }[] = [];
    const onExchange = (exchange: YagnaExchange): void =>
      void exchanges.push({ at: performance.now(), exchange });
    const api = createYagnaApi({ url: devnet.url, appKey: devnet.appKey, onExchange }, {});
    const node = new GolemNode({
      apiUrl: devnet.url,
      appKey: devnet.appKey,
      env: {},
      api,
      pollTimeoutSec: 1,
    });
    await node.start();
    const t0 = performance.now();
    const allocation = await node.createAllocation({ amount: 1_000 });
    const agreements = await firstValueFrom(
      node.demand$({ payload: {}, allocations: [allocation] }).pipe(
        score((p: Proposal) => byPrice(p), { minProposals: OFFERS, maxWait: 30_000 }),
        negotiate(concurrency),
        createAgreement({ concurrency }),
        take(AGREEMENTS),
        toArray(),
      ),
    );
    const ms = performance.now() - t0;
    const during = exchanges.filter((e) => e.at >= t0 && e.at - t0 <= ms);
    const firstCounter = during.findIndex(
      (e) => e.exchange.method === 'POST' && e.exchange.pathTemplate.endsWith('/proposals/{proposalId}'),
    );
    // before the first counter everything is sequential: allocation, decorations, subscribe, the
    // collects that gather the 2,000 offers; then ⌈50 / n⌉ waves of one agreement's round trips
    const setup = firstCounter < 0 ? during.length : firstCounter;
    const critical = setup + Math.ceil(AGREEMENTS / concurrency) * TRIPS_PER_AGREEMENT;
    const limit = critical * latency;
    const ratio =
      latency === 0
        ? 'limit 0 ms at latency 0'
        : `limit ${critical} × ${latency} ms = ${limit} ms; wall/limit ${(ms / limit).toFixed(2)}x`;
    console.log(
      line(
        `${agreements.length} agreements, negotiate(${concurrency}), latency ${latency} ms`,
        fmt(ms, 0),
        'ms',
        `${during.length} round trips in all, ${critical} on the critical path (${setup} setup); ${ratio}`,
      ),
    );
    await Promise.all(agreements.map((a) => a.terminate('Finished')));
    const report = await node.close();
    if (!report.ok)
      throw new Error(`node.close() failed: ${JSON.stringify(report.failures.map((f) => f.operation))}`);
  } finally {
    await devnet.stop();
  }
}

/** Runs the pipeline bench and prints its figures. */
export async function benchPipeline(): Promise<void> {
  header(
    `time to ${AGREEMENTS} agreements out of ${OFFERS.toLocaleString('en-US')} offers (devnet in a child process)`,
  );
  console.log(
    '  (score holds until all offers are in; provider think time 5–50 ms and approval delay 5–30 ms count in the wall time)',
  );
  for (const latency of [0, 5]) {
    for (const concurrency of CONCURRENCIES) await timeToAgreements(latency, concurrency);
  }
}

const invoked = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invoked) {
  benchPipeline().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
