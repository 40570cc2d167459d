// Benchmark of devnet (issue 2): (1) requests per second at latency 0 with 2,000 providers, the
// load coming from this process and devnet running in a child process; (2) the wall time of a
// full rental with the typed client beside its round-trip count, at latency 0 and 5 ms.
// Run alone with `npx tsx bench/devnet.ts`, or call benchDevnet(). The same file is the child:
// `node --import tsx bench/devnet.ts --child '<DevnetOptions as JSON>'`.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createYagnaApi, type YagnaApi, type YagnaExchange } from '../src/api/index.js';
import type { DemandOfferBaseDto } from '../src/api/types/index.js';
import { startDevnet, type DevnetOptions, type DevnetStats } from '@golem-rx/devnet';

// --- output: a header per bench, aligned `name  value unit  (ratio …)` lines

/** Prints a bench section header. */
export function header(title: string): void {
  console.log(`\n${title}`);
}

/** Formats a number with `digits` decimals and thousands separators. */
export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** One aligned result line: `name  value unit  (note)`. */
export function line(name: string, value: string, unit: string, note?: string): string {
  const text = `  ${name.padEnd(48)} ${value.padStart(12)} ${unit.padEnd(6)}`;
  return note === undefined ? text.trimEnd() : `${text}  (${note})`;
}

// --- devnet in a child process, so that the load and devnet do not share a core

/** A devnet running in a child process. */
export interface ChildDevnet {
  readonly url: string;
  readonly appKey: string;
  /** The child's CPU time so far (user + system), µs. */
  cpu(): Promise<number>;
  /** devnet's stats, read in the child. */
  stats(): Promise<DevnetStats>;
  /** Stops devnet and waits for the child to exit. */
  stop(): Promise<void>;
}

const self = fileURLToPath(import.meta.url);

/**
 * Starts `node --import tsx bench/devnet.ts --child <options>`: a devnet on loopback in its own
 * process. It answers one JSON line per request line on stdin (`cpu`, `stats`) and stops when
 * stdin closes.
 */
export async function spawnDevnet(options: DevnetOptions): Promise<ChildDevnet> {
  const child = spawn(process.execPath, ['--import', 'tsx', self, '--child', JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`devnet child exited with ${code}`)));
  });
  failed.catch(() => undefined); // observed below through Promise.race
  lines.on('line', (l) => waiting.shift()?.(l));
  const next = (): Promise<string> =>
    Promise.race([new Promise<string>((resolve) => waiting.push(resolve)), failed]);
  const ask = async (what: string): Promise<unknown> => {
    const answer = next();
    child.stdin.write(`${what}\n`);
    return JSON.parse(await answer) as unknown;
  };
  const ready = JSON.parse(await next()) as { url: string; appKey: string };
  return {
    url: ready.url,
    appKey: ready.appKey,
    cpu: async () => (await ask('cpu')) as number,
    stats: async () => (await ask('stats')) as DevnetStats,
    stop: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

/** The child's side of {@link spawnDevnet}. */
async function devnetChild(optionsJson: string): Promise<void> {
  const devnet = await startDevnet({ ...(JSON.parse(optionsJson) as DevnetOptions), port: 0 });
  process.stdout.write(`${JSON.stringify({ url: devnet.url, appKey: devnet.appKey })}\n`);
  const input = createInterface({ input: process.stdin });
  input.on('line', (l) => {
    if (l === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.stdout.write(`${user + system}\n`);
    } else if (l === 'stats') {
      process.stdout.write(`${JSON.stringify(devnet.stats())}\n`);
    }
  });
  input.once('close', () => {
    devnet.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}

// --- the bench

const PROVIDERS = 2_000;
const LOOPS = 4;
const TARGET_RPS = 500;
/** Each load phase stops at this many requests or after this long, whichever comes first. */
const MAX_REQUESTS = 4_000;
const MAX_MS = 4_000;
const RENTAL_RUNS = 5;
const RENTAL_PROVIDERS = 20;

/** A demand every simulated provider matches (no payment decoration: it is never countered). */
function openDemand(): DemandOfferBaseDto {
  return {
    properties: {
      'golem.srv.comp.expiration': Date.now() + 15 * 60_000,
      'golem.node.debug.subnet': 'public',
    },
    constraints: '(&(golem.runtime.name=vm))',
  };
}

interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  /** devnet's CPU time over the phase ÷ wall time (1 = one core busy). */
  readonly devnetCpu: number;
}

/** Runs `loops` concurrent loops of `call` until `maxRequests` were made or `maxMs` passed. */
async function load(
  cpu: () => Promise<number>,
  loops: number,
  maxRequests: number,
  maxMs: number,
  call: (loop: number, i: number) => Promise<boolean>,
): Promise<LoadResult> {
  let issued = 0;
  const cpu0 = await cpu();
  const t0 = performance.now();
  const deadline = t0 + maxMs;
  await Promise.all(
    Array.from({ length: loops }, async (_, loop) => {
      while (issued < maxRequests && performance.now() < deadline) {
        const i = issued++;
        if (!(await call(loop, i))) return;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpuSeconds = ((await cpu()) - cpu0) / 1e6;
  return { requests: issued, seconds, devnetCpu: cpuSeconds / seconds };
}

function loadLine(name: string, r: LoadResult): string {
  const rps = r.requests / r.seconds;
  return line(
    name,
    fmt(rps, 0),
    'req/s',
    `ratio vs ${TARGET_RPS} req/s target ${(rps / TARGET_RPS).toFixed(2)}x; ${r.requests} req; ` +
      `devnet CPU ${(r.devnetCpu * 100).toFixed(0)}% → ≈${fmt(rps / r.devnetCpu, 0)} req/s per devnet core`,
  );
}

async function requestRates(): Promise<void> {
  const t0 = performance.now();
  const devnet = await spawnDevnet({ providers: PROVIDERS, latency: 0, seed: 1 });
  const startMs = performance.now() - t0;
  try {
    const api = createYagnaApi({ url: devnet.url, appKey: devnet.appKey, retry: false }, {});
    header(
      `devnet requests/s (latency 0, ${PROVIDERS} providers, ${LOOPS} concurrent loops, separate process)`,
    );
    console.log(line('child start (spawn + tsx + startDevnet)', fmt(startMs, 0), 'ms'));
    // warm-up: JIT on both sides, keep-alive connections
    await load(devnet.cpu, LOOPS, 300, MAX_MS, async () => (await api.identity.getIdentity(), true));

    const me = await load(devnet.cpu, LOOPS, MAX_REQUESTS, MAX_MS, async () => {
      await api.identity.getIdentity();
      return true;
    });
    console.log(loadLine('GET /me', me));

    // one demand per loop: each holds 2,000 Initial proposals, consumed 20 at a time
    const demands = await Promise.all(
      Array.from({ length: LOOPS }, () => api.market.subscribeDemand(openDemand())),
    );
    const proposalIds: string[][] = demands.map(() => []);
    const full = await load(devnet.cpu, LOOPS, MAX_REQUESTS, MAX_MS, async (loop) => {
      const events = await api.market.collectOffers(demands[loop]!, { timeout: 0, maxEvents: 20 });
      for (const e of events)
        if (e.eventType === 'ProposalEvent') proposalIds[loop]!.push(e.proposal.proposalId);
      return events.length > 0;
    });
    console.log(loadLine('collectOffers timeout=0 (20 proposals each)', full));
    const empty = await load(devnet.cpu, LOOPS, MAX_REQUESTS, MAX_MS, async (loop) => {
      await api.market.collectOffers(demands[loop]!, { timeout: 0, maxEvents: 20 });
      return true;
    });
    console.log(loadLine('collectOffers timeout=0 (queue drained, [])', empty));

    const get = await load(devnet.cpu, LOOPS, MAX_REQUESTS, MAX_MS, async (loop, i) => {
      const ids = proposalIds[loop]!;
      await api.market.getProposalOffer(demands[loop]!, ids[i % ids.length]!);
      return true;
    });
    console.log(loadLine('GET /demands/{id}/proposals/{pid}', get));
    await Promise.all(demands.map((d) => api.market.unsubscribeDemand(d)));
  } finally {
    await devnet.stop();
  }
}

/** One full rental with the raw client, every call sequential. */
async function rental(api: YagnaApi): Promise<void> {
  const since = new Date(Date.now() - 1_000);
  const appSessionId = `bench-${Math.random().toString(16).slice(2)}`;
  const allocation = await api.payment.createAllocation({ totalAmount: '1' });
  const platform = allocation.paymentPlatform;
  const decorations = await api.payment.getDemandDecorations([allocation.allocationId]);
  const demand = openDemand();
  for (const { key, value } of decorations.properties) demand.properties[key] = value;
  demand.constraints = `(&(golem.runtime.name=vm)${decorations.constraints.join('')})`;
  const subscriptionId = await api.market.subscribeDemand(demand);
  let offerId: string | undefined;
  while (offerId === undefined) {
    const events = await api.market.collectOffers(subscriptionId, { timeout: 5, maxEvents: 100 });
    for (const e of events)
      if (e.eventType === 'ProposalEvent' && e.proposal.state === 'Initial')
        offerId ??= e.proposal.proposalId;
  }
  const counter: DemandOfferBaseDto = {
    properties: { ...demand.properties, 'golem.com.payment.chosen-platform': platform },
    constraints: demand.constraints,
  };
  const counterId = await api.market.counterProposalDemand(subscriptionId, offerId, counter);
  let draftId: string | undefined;
  while (draftId === undefined) {
    const events = await api.market.collectOffers(subscriptionId, { timeout: 5, maxEvents: 100 });
    for (const e of events) {
      if (e.eventType === 'ProposalRejectedEvent' && e.proposalId === counterId)
        throw new Error('counter rejected');
      if (e.eventType === 'ProposalEvent' && e.proposal.prevProposalId === counterId)
        draftId = e.proposal.proposalId;
    }
  }
  const agreementId = await api.market.createAgreement({
    proposalId: draftId,
    validTo: new Date(Date.now() + 3_600_000),
  });
  await api.market.confirmAgreement(agreementId, { appSessionId });
  await api.market.waitForApproval(agreementId, { timeout: 10 });
  const { activityId } = await api.activity.createActivity(agreementId, { timeout: 10 });
  const batchId = await api.activity.exec(activityId, [
    { deploy: {} },
    { start: {} },
    {
      run: {
        entry_point: '/bin/sh',
        args: ['-c', 'echo hello'],
        capture: { stdout: { atEnd: { format: 'string' } } },
      },
    },
  ]);
  for (;;) {
    const results = await api.activity.getExecBatchResults(activityId, batchId, {
      timeout: 10,
      commandIndex: 2,
    });
    const last = results.at(-1);
    if (last?.isBatchFinished === true) {
      if (last.result !== 'Ok' || last.stdout !== 'hello\n')
        throw new Error(`echo failed: ${JSON.stringify(last)}`);
      break;
    }
  }
  await api.activity.destroyActivity(activityId, { timeout: 10 });
  await api.market.terminateAgreement(agreementId, { message: 'Finished' });
  let invoiceId: string | undefined;
  while (invoiceId === undefined) {
    const events = await api.payment.getInvoiceEvents({ afterTimestamp: since, appSessionId, timeout: 5 });
    invoiceId = events.find((e) => e.eventType === 'InvoiceReceivedEvent')?.invoiceId;
  }
  const invoice = await api.payment.getInvoice(invoiceId);
  await api.payment.acceptInvoice(
    invoiceId,
    { totalAmountAccepted: invoice.amount, allocationId: allocation.allocationId },
    { timeout: 10 },
  );
  await api.payment.releaseAllocation(allocation.allocationId);
  await api.market.unsubscribeDemand(subscriptionId);
}

async function rentalFlow(latency: number): Promise<void> {
  const devnet = await spawnDevnet({ providers: RENTAL_PROVIDERS, latency, seed: 2 });
  try {
    let exchanges = 0;
    const onExchange = (_: YagnaExchange): void => {
      exchanges += 1;
    };
    const api = createYagnaApi({ url: devnet.url, appKey: devnet.appKey, retry: false, onExchange }, {});
    await rental(api); // warm-up
    const runs: { ms: number; trips: number }[] = [];
    for (let i = 0; i < RENTAL_RUNS; i++) {
      exchanges = 0;
      const t0 = performance.now();
      await rental(api);
      runs.push({ ms: performance.now() - t0, trips: exchanges });
    }
    runs.sort((a, b) => a.ms - b.ms);
    const median = runs[Math.floor(runs.length / 2)]!;
    const limit = median.trips * latency;
    const ratio =
      latency === 0
        ? 'limit 0 ms at latency 0'
        : `limit ${median.trips} × ${latency} ms = ${limit} ms; wall/limit ${(median.ms / limit).toFixed(2)}x`;
    console.log(
      line(
        `full rental, latency ${latency} ms (median of ${RENTAL_RUNS})`,
        fmt(median.ms, 1),
        'ms',
        `${median.trips} round trips, ${(median.ms / median.trips).toFixed(2)} ms/trip; ${ratio}`,
      ),
    );
    console.log(line(`  fastest / slowest`, `${fmt(runs[0]!.ms, 1)} / ${fmt(runs.at(-1)!.ms, 1)}`, 'ms'));
  } finally {
    await devnet.stop();
  }
}

/** Runs the devnet bench and prints its figures. */
export async function benchDevnet(): Promise<void> {
  await requestRates();
  header(
    `full rental with createYagnaApi (${RENTAL_PROVIDERS} providers; allocation → … → unsubscribe; all calls sequential)`,
  );
  console.log('  (provider think time 5–50 ms and approval delay 5–30 ms are part of the wall time)');
  await rentalFlow(0);
  await rentalFlow(5);
}

const invoked = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invoked && process.argv[2] === '--child') {
  devnetChild(process.argv[3] ?? '{}').catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else if (invoked) {
  benchDevnet().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
