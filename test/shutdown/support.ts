/** Helpers of the shutdown tests: a child process whose stderr can be waited on, the demo's env. */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DevnetHandle } from '@golem-rx/devnet';

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '../..');

/** How a child process ended and what it printed. */
export interface ChildResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running child process. */
export interface Child {
  readonly done: Promise<ChildResult>;
  readonly kill: (signal: NodeJS.Signals) => void;
  /** Resolves when stderr contains `text` (rejects if the process exits first). */
  readonly waitForStderr: (text: string) => Promise<void>;
  /** What stderr holds so far. */
  readonly stderr: () => string;
}

/** Starts `node --import tsx <script> …args` in the repository with `env` over a minimal environment. */
export function spawnTs(script: string, args: readonly string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, script), ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      // the repository's tsconfig: its paths point golem-rx and @golem-rx/* at their sources
      TSX_TSCONFIG_PATH: join(ROOT, 'tsconfig.json'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const w of waiters.filter((x) => stderr.includes(x.text))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const done = new Promise<ChildResult>((resolveDone, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolveDone({ code, signal, stdout, stderr }));
  });
  return {
    done,
    kill: (signal) => child.kill(signal),
    stderr: () => stderr,
    waitForStderr: (text) =>
      new Promise<void>((resolveWait, reject) => {
        if (stderr.includes(text)) return resolveWait();
        waiters.push({ text, resolve: resolveWait });
        void done.then(() =>
          reject(new Error(`exited before printing ${JSON.stringify(text)}:\n${stdout}\n${stderr}`)),
        );
      }),
  };
}

/** A fresh session file path in a temporary directory. */
export function tempSessionFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'golem-rx-shutdown-')), 'session.json');
}

/**
 * The environment of `demo --yagna` against `devnet`: its API and app key, its image registry,
 * and a session file of its own.
 */
export function demoEnv(devnet: DevnetHandle, sessionFile = tempSessionFile()): Record<string, string> {
  return {
    YAGNA_API_URL: devnet.url,
    YAGNA_APPKEY: devnet.appKey,
    GOLEM_REGISTRY_URL: devnet.url,
    GOLEM_RX_SESSION_FILE: sessionFile,
  };
}

/** A text sink that keeps what is written, and tells `onWrite` about each chunk. */
export function sink(onWrite?: (text: string) => void): { write(text: string): boolean; text(): string } {
  const chunks: string[] = [];
  return {
    write: (text) => {
      chunks.push(text);
      onWrite?.(text);
      return true;
    },
    text: () => chunks.join(''),
  };
}
