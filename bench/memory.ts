// Memory benchmarks (issue 11 item 5, issue 16 item 8):
// 1. 1,000,000 offers through the real resource layer, `node.demand$(…).pipe(score, negotiate(4))`,
//    over loopback HTTP from a stand-in yagna that serves the offers of 5,000 providers, each
//    re-issuing its offer (as providers do), and never answers a counter-proposal (so negotiate's
//    4 slots stay taken and its heap holds what waits). Prints the heap after GC with the
//    pipeline still subscribed (goal: at most 64 MiB in all) and the offers per second.
// 2. 20,000 tasks with `executeTasks` on devnet (in a child process): the heap after
//    `node.close()` beside the heap before the node started (goal: within 16 MiB).
// Needs `global.gc` (the runner re-executes itself with --expose-gc). Run alone with
// `node --expose-gc --import tsx bench/memory.ts`.
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { from, lastValueFrom, toArray } from 'rxjs';
import { Task, type Worker, executeTasks } from '../src/engine/index.js';
import { negotiate, score } from '../src/operators/index.js';
import { type Proposal } from '../src/resources/index.js';
import { GolemNode } from '../src/node/index.js';
import { fmt, header, line, spawnDevnet } from './devnet.js';

const OFFERS = Number(process.env.BENCH_OFFERS ?? 1_000_000);
const PROVIDERS = 5_000;
const HEAP_GOAL_MIB = 64;
const TASKS = 20_000;
const TASK_HEAP_GOAL_MIB = 16;
const MIB = 1024 * 1024;

/** A full heap collection, then the heap in use. */
function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('bench/memory.ts needs --expose-gc');
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

/** Lets the finalizers of collected objects run, then collects again. */
async function settledHeap(): Promise<number> {
  heapAfterGc();
  await new Promise((resolve) => setTimeout(resolve, 50));
  return heapAfterGc();
}

/** One offer as yagna's collectOffers carries it: provider `i % PROVIDERS`, a linear price. */
function offerEvent(i: number, now: string): string {
  const provider = (i % PROVIDERS).toString(16).padStart(40, '0');
  const price = (i % 97) / 1e5;
  const proposal = {
    properties: {
      'golem.node.id.name': `provider-${i % PROVIDERS}`,
      'golem.inf.cpu.threads': 4,
      'golem.inf.mem.gib': 8,
      'golem.inf.storage.gib': 40,
      'golem.runtime.name': 'vm',
      'golem.com.pricing.model': 'linear',
      'golem.com.pricing.model.linear.coeffs': [price, price / 2, 0.01],
      'golem.com.usage.vector': ['golem.usage.cpu_sec', 'golem.usage.duration_sec'],
      'golem.com.payment.platform.erc20-holesky-tglm.address': `0x${provider}`,
      'golem.com.scheme': 'payu',
      'golem.com.scheme.payu.payment-timeout-sec?': 120,
      'golem.srv.caps.multi-activity': true,
    },
    constraints: '(&(golem.srv.comp.expiration>0))',
    proposalId: `offer-${i}`,
    issuerId: `0x${provider}`,
    state: 'Initial',
    timestamp: now,
  };
  return JSON.stringify({ eventType: 'ProposalEvent', eventDate: now, proposal });
}

/**
 * A stand-in yagna with just what the flow calls: the identity, an account and an allocation,
 * decorations, a demand whose collectOffers serves `OFFERS` offers in batches of `maxEvents`, and
 * counter-proposals that are taken and never answered.
 */
export async function standIn(): Promise<{ url: string; served: () => number; close: () => Promise<void> }> {
  let served = 0;
  let counters = 0;
  const json = (res: ServerResponse, status: number, body: unknown): void => {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const now = new Date().toISOString();
    if (path === '/me')
      return json(res, 200, { identity: '0x' + 'a'.repeat(40), name: 'bench', role: 'manager' });
    if (path === '/payment-api/v1/requestorAccounts')
      return json(res, 200, [
        {
          platform: 'erc20-holesky-tglm',
          address: '0x' + 'a'.repeat(40),
          driver: 'erc20',
          network: 'holesky',
          token: 'tGLM',
          send: true,
          receive: false,
        },
      ]);
    if (path === '/payment-api/v1/allocations' && req.method === 'POST')
      return json(res, 201, {
        allocationId: 'alloc-1',
        address: '0x' + 'a'.repeat(40),
        paymentPlatform: 'erc20-holesky-tglm',
        totalAmount: '1000',
        spentAmount: '0',
        remainingAmount: '1000',
        timestamp: now,
        timeout: new Date(Date.now() + 3_600_000).toISOString(),
        makeDeposit: false,
        deposit: null,
      });
    if (path.startsWith('/payment-api/v1/allocations/')) return json(res, 200, undefined);
    if (path === '/payment-api/v1/demandDecorations')
      return json(res, 200, { properties: [], constraints: [] });
    if (path === '/market-api/v1/demands' && req.method === 'POST') return json(res, 201, 'demand-1');
    if (path.endsWith('/events') && path.startsWith('/market-api/v1/demands/')) {
      const max = Math.min(Number(url.searchParams.get('maxEvents') ?? '100'), OFFERS - served);
      if (max <= 0) {
        // all served: answer empty after the long-poll's timeout, as yagna does
        setTimeout(() => json(res, 200, []), 1000 * Number(url.searchParams.get('timeout') ?? '1'));
        return;
      }
      const events: string[] = [];
      for (let i = 0; i < max; i++) events.push(offerEvent(served++, now));
      const text = `[${events.join(',')}]`;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    if (path.includes('/proposals/') && req.method === 'POST') return json(res, 200, `counter-${counters++}`);
    if (path.startsWith('/market-api/v1/demands/') && req.method === 'DELETE')
      return json(res, 204, undefined);
    json(res, 404, { message: `stand-in: ${req.method} ${path} not served` });
  };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handle(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    served: () => served,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Cheaper is better; reads the offer's linear coefficients and keeps nothing. */
function byPrice(proposal: Proposal): number {
  const coeffs = proposal.properties['golem.com.pricing.model.linear.coeffs'] as number[];
  return 1 / (1 + coeffs.reduce((a, b) => a + b, 0));
}

async function offersThroughResources(): Promise<void> {
  header(`${fmt(OFFERS)} offers of ${fmt(PROVIDERS)} providers through node.demand$ → score → negotiate(4)`);
  const server = await standIn();
  const before = await settledHeap();
  const node = await new GolemNode({
    apiUrl: server.url,
    appKey: 'bench',
    env: {},
    pollTimeoutSec: 1,
    payments: false,
  }).start();
  const allocation = await node.createAllocation({ amount: 1 });
  let seen = 0;
  let done: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (done = resolve));
  const t0 = performance.now();
  const subscription = node
    .demand$({ payload: {}, allocations: [allocation] })
    .pipe(
      score((p: Proposal) => {
        if (++seen === OFFERS) done();
        return byPrice(p);
      }),
      negotiate(4),
    )
    .subscribe({ error: (error: unknown) => console.error('memory bench:', error) });
  await all;
  const seconds = (performance.now() - t0) / 1000;
  const during = await settledHeap();
  subscription.unsubscribe();
  await node.close();
  const after = await settledHeap();
  await server.close();
  console.log(line('offers per second (HTTP, JSON, resources, operators)', fmt(OFFERS / seconds), '/s'));
  console.log(line('heap before the node', fmt(before / MIB, 1), 'MiB'));
  const met = during <= HEAP_GOAL_MIB * MIB ? 'met' : 'NOT met';
  console.log(
    line(
      'heap after GC, still subscribed',
      fmt(during / MIB, 1),
      'MiB',
      `goal ≤ ${HEAP_GOAL_MIB} MiB: ${met}`,
    ),
  );
  console.log(line('growth per offer', fmt((during - before) / OFFERS, 2), 'B'));
  console.log(line('heap after GC, closed', fmt(after / MIB, 1), 'MiB'));
}

const echo: Worker<number, string> = async (ctx, tasks) => {
  for await (const task of tasks) {
    ctx.run('/bin/echo', String(task.data));
    const [result] = await ctx.commit();
    task.accept(result?.stdout ?? '');
  }
};

async function runJob(devnet: { url: string; appKey: string }, count: number): Promise<void> {
  const node = new GolemNode({ apiUrl: devnet.url, appKey: devnet.appKey, env: {}, pollTimeoutSec: 1 });
  await node.start();
  const tasks = Array.from({ length: count }, (_, i) => new Task<number, string>(i));
  await lastValueFrom(
    from(tasks).pipe(executeTasks(node, echo, { payload: {}, budget: 10, maxWorkers: 10 }), toArray()),
  );
  await node.close();
}

async function tasksAndClose(): Promise<void> {
  header(`${fmt(TASKS)} tasks with executeTasks on devnet, then node.close()`);
  const devnet = await spawnDevnet({ providers: 100, seed: 4 });
  try {
    // A short job first, closed: what loads and compiles once (the engine's modules, JIT code) is
    // not what a job leaves behind.
    await runJob(devnet, 200);
    const before = await settledHeap();
    const node = new GolemNode({
      apiUrl: devnet.url,
      appKey: devnet.appKey,
      env: {},
      pollTimeoutSec: 1,
      minPollIntervalMs: 10,
    });
    await node.start();
    const tasks = Array.from({ length: TASKS }, (_, i) => new Task<number, string>(i));
    const t0 = performance.now();
    await lastValueFrom(
      from(tasks).pipe(
        executeTasks(node, echo, { payload: {}, budget: 100, maxWorkers: 50, invoiceTimeout: 30_000 }),
        toArray(),
      ),
    );
    const ms = performance.now() - t0;
    const peak = process.memoryUsage().heapUsed;
    await node.close();
    tasks.length = 0;
    const after = await settledHeap();
    const growth = after - before;
    const met = growth <= TASK_HEAP_GOAL_MIB * MIB ? 'met' : 'NOT met';
    console.log(line('tasks per second', fmt(TASKS / (ms / 1000)), '/s'));
    console.log(line('heap before the node started (after a 200-task warm-up)', fmt(before / MIB, 1), 'MiB'));
    console.log(line('heap at the end of the run (no GC)', fmt(peak / MIB, 1), 'MiB'));
    console.log(
      line(
        'heap after close() and GC',
        fmt(after / MIB, 1),
        'MiB',
        `+${fmt(growth / MIB, 1)} MiB; goal ≤ +${TASK_HEAP_GOAL_MIB}: ${met}`,
      ),
    );
  } finally {
    await devnet.stop();
  }
}

/** Prints both memory benchmarks. */
export async function benchMemory(): Promise<void> {
  if (process.env.BENCH_ONLY === 'offers') return offersThroughResources();
  if (process.env.BENCH_ONLY === 'tasks') return tasksAndClose();
  await offersThroughResources();
  await tasksAndClose();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchMemory();
