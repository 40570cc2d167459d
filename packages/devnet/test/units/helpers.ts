import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { asyncScheduler, type SchedulerLike, type VirtualTimeScheduler } from 'rxjs';
import { builtins } from '../../src/exeunit/shell/builtins.js';
import { Interpreter } from '../../src/exeunit/shell/interpreter.js';
import { newState, type CommandHandler } from '../../src/exeunit/shell/types.js';
import { schedulerSleep } from '../../src/exeunit/schedulerSleep.js';
import { VirtualFs } from '../../src/exeunit/VirtualFs.js';

/** Output of a script run by {@link sh}. */
export interface ShResult {
  status: number;
  stdout: string;
  stderr: string;
  fs: VirtualFs;
}

/** Runs a script in a fresh shell over a file system with /golem/{input,output,work}; cwd /golem/work. */
export async function sh(
  script: string,
  options: {
    fs?: VirtualFs;
    env?: Record<string, string>;
    handlers?: Record<string, CommandHandler>;
    scheduler?: SchedulerLike;
    signal?: AbortSignal;
    stdin?: string;
  } = {},
): Promise<ShResult> {
  const fs = options.fs ?? golemFs();
  const scheduler = options.scheduler ?? asyncScheduler;
  const signal = options.signal ?? new AbortController().signal;
  const handlers = options.handlers ?? {};
  const interpreter = new Interpreter({
    fs,
    signal,
    scheduler,
    sleep: (ms) => schedulerSleep(scheduler, ms, signal),
    lookup: (name) =>
      Object.hasOwn(handlers, name)
        ? handlers[name]
        : Object.hasOwn(builtins, name)
          ? builtins[name]
          : undefined,
  });
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const state = newState(
    { HOME: '/root', PATH: '/bin', ...options.env },
    fs.isDir('/golem/work') ? '/golem/work' : '/',
  );
  const status = await interpreter.runScript(script, state, {
    stdin: new TextEncoder().encode(options.stdin ?? ''),
    stdout: (c) => out.push(c),
    stderr: (c) => err.push(c),
  });
  const text = (chunks: Uint8Array[]): string => Buffer.concat(chunks).toString('utf8');
  return { status, stdout: text(out), stderr: text(err), fs };
}

/** A file system with the directories a deploy creates. */
export function golemFs(): VirtualFs {
  const fs = new VirtualFs();
  for (const d of ['/golem/input', '/golem/output', '/golem/work']) fs.mkdir(d, { recursive: true });
  return fs;
}

/**
 * Drives a VirtualTimeScheduler until `promise` settles: lets pending microtasks and I/O run,
 * then executes only the earliest scheduled actions, and repeats. (A plain `flush()` would run
 * every future action at once, before the promise continuations that depend on earlier ones.)
 */
export async function settle<T>(
  scheduler: VirtualTimeScheduler,
  promise: Promise<T>,
  maxSteps = 10_000,
): Promise<T> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < maxSteps; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    if (settled) return promise;
    const next = scheduler.actions[0];
    if (next === undefined) continue;
    scheduler.maxFrames = next.delay;
    scheduler.flush();
  }
  throw new Error(`promise did not settle within ${maxSteps} steps (virtual time ${scheduler.now()} ms)`);
}

/** A tiny HTTP server on 127.0.0.1 for transfer tests. */
export async function startServer(
  handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void,
): Promise<{
  url: string;
  server: Server;
  close: () => Promise<void>;
}> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
