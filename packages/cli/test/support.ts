/** Helpers of the CLI tests: run `golem-rx` in-process with captured output, or as a child process. */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import type { YagnaApi } from 'golem-rx';
import type { InvoiceData } from 'golem-rx';
import type { CliContext, TtyFlags } from '../src/context.js';
import { runCli } from '../src/program.js';
import { startDevnet, type DevnetHandle } from '@golem-rx/devnet';
import { approvedAgreement, type Approved } from '../../../test/api/support/rental.js';

/** What a run printed and how it ended. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link run}. */
export interface RunOptions {
  readonly env?: Record<string, string | undefined>;
  readonly isTTY?: Partial<TtyFlags>;
  readonly stdin?: NodeJS.ReadableStream;
  readonly interrupt?: AbortSignal;
  /** Called with each chunk written to stdout (to react to streamed rows). */
  readonly onStdout?: (text: string, all: string) => void;
  /** Called with each chunk written to stderr (to react to a prompt). */
  readonly onStderr?: (text: string, all: string) => void;
}

/** A collecting sink. */
function sink(onWrite?: (text: string, all: string) => void): {
  write(text: string): boolean;
  text: () => string;
} {
  let all = '';
  return {
    write(text: string) {
      all += text;
      onWrite?.(text, all);
      return true;
    },
    text: () => all,
  };
}

/** Runs `golem-rx argv` in-process against the injected context; nothing is a terminal unless said. */
export async function run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const stdout = sink(options.onStdout);
  const stderr = sink(options.onStderr);
  const ctx: CliContext = {
    stdout,
    stderr,
    stdin: options.stdin ?? new PassThrough(),
    env: options.env ?? {},
    isTTY: { stdin: false, stdout: false, stderr: false, ...options.isTTY },
    interrupt: options.interrupt,
  };
  const code = await runCli(argv, ctx);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** A devnet as the issue's tests use it: 20 providers, seed 1, a free port. */
export function cliDevnet(): Promise<DevnetHandle> {
  return startDevnet({ port: 0, providers: 20, seed: 1, thinkTimeMs: [1, 5], approvalDelayMs: [1, 5] });
}

/** A fresh session file path in a temporary directory. */
export function tempSessionFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'golem-rx-cli-')), 'session.json');
}

/** The environment pointing the CLI at `devnet` with its own session file. */
export function envFor(devnet: DevnetHandle, sessionFile = tempSessionFile()): Record<string, string> {
  return { YAGNA_API_URL: devnet.url, YAGNA_APPKEY: devnet.appKey, GOLEM_RX_SESSION_FILE: sessionFile };
}

/** A loopback port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** The CLI package's folder. */
export const ROOT = resolve(import.meta.dirname, '..');

/** The repository's tsconfig: its `paths` point `golem-rx` and `@golem-rx/*` at their sources. */
export const TSCONFIG = resolve(ROOT, '../../tsconfig.json');

/** The command that runs the CLI from source in a child process (with TSX_TSCONFIG_PATH set). */
export const CLI = ['--import', 'tsx', join(ROOT, 'src/main.ts')];

/** A child process run of the CLI. */
export interface ChildRun {
  readonly done: Promise<RunResult & { signal: NodeJS.Signals | null }>;
  readonly kill: (signal: NodeJS.Signals) => void;
  /** Closes the reading end of the child's stdout (as `| head` does when it has enough). */
  readonly closeStdout: () => void;
  /** Resolves when stdout contains `text`. */
  readonly waitFor: (text: string) => Promise<void>;
}

/** Starts `node --import tsx src/main.ts …args` with `env` (added to a minimal environment). */
export function spawnCli(args: readonly string[], env: Record<string, string>): ChildRun {
  const child = spawn(process.execPath, [...CLI, ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      TSX_TSCONFIG_PATH: TSCONFIG,
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const w of waiters.filter((w) => stdout.includes(w.text))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<RunResult & { signal: NodeJS.Signals | null }>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code: code ?? -1, signal, stdout, stderr }));
  });
  return {
    done,
    kill: (signal) => child.kill(signal),
    closeStdout: () => child.stdout.destroy(),
    waitFor: (text) =>
      new Promise<void>((resolvePromise, reject) => {
        if (stdout.includes(text)) return resolvePromise();
        waiters.push({ text, resolve: resolvePromise });
        void done.then(() =>
          reject(new Error(`exited before printing ${JSON.stringify(text)}: ${stdout}${stderr}`)),
        );
      }),
  };
}

/** No stack trace: no `    at ` frame lines, no `Error:` class dumps. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at /m.test(text) || /\n\s*at .+:\d+:\d+/.test(text);
}

/** Lines of `text` without the empty ones. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

/** Rents, terminates and waits for the provider's invoice. */
export async function invoicedRental(api: YagnaApi): Promise<{ rental: Approved; invoice: InvoiceData }> {
  const rental = await approvedAgreement(api);
  await api.market.terminateAgreement(rental.agreementId, { message: 'Finished' });
  for (let i = 0; i < 100; i++) {
    const invoice = (await api.payment.getInvoices()).find((x) => x.agreementId === rental.agreementId);
    if (invoice !== undefined) return { rental, invoice };
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('no invoice');
}
