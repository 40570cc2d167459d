/**
 * A real `nats-server` (Debian's package, 2.9) for the tests on NATS: JetStream on, its store in a
 * temporary folder, listening on a free loopback port. `restart()` starts it again on the same port
 * and store (what a NATS restart looks like to a client), `kill()` stops it hard, `stop()` stops it
 * and removes the store.
 *
 * Without the binary the NATS tests skip with a message, unless CI=true (.ci/run installs it): then
 * {@link requireNatsServer} fails the suite instead.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the binary is: `NATS_SERVER_PATH`, or Debian's `/usr/sbin/nats-server`, or on the PATH. */
export const NATS_SERVER =
  process.env.NATS_SERVER_PATH ??
  ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find((p) => existsSync(p));

/** Whether the NATS tests can run here. */
export const hasNatsServer = NATS_SERVER !== undefined;

/** Whether a missing server is a failure (CI) rather than a skip. */
export const natsServerRequired = process.env.CI === 'true';

const INSTALL = 'apt-get install -y nats-server, or set NATS_SERVER_PATH';
if (!hasNatsServer && !natsServerRequired) console.warn(`NATS tests skipped: no nats-server (${INSTALL})`);

/** The message a suite fails with when CI=true and the server is missing. */
export const missingNatsServer = `CI=true but no nats-server (${INSTALL})`;

/** A running server. */
export interface NatsServerHandle {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** The JetStream store folder (kept across `restart()`). */
  readonly storeDir: string;
  /** The token clients must present, when started with one. */
  readonly token?: string;
  /** Stops the process (SIGTERM) and waits for it to exit. The store stays. */
  shutdown(): Promise<void>;
  /** Stops it hard (SIGKILL) and waits for it to exit. The store stays. */
  kill(): Promise<void>;
  /** Starts it again on the same port and store; resolves when it accepts clients. */
  restart(): Promise<void>;
  /** Stops it and removes the store. Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions {
  /** Require this token from clients (`--auth`). */
  token?: string;
  /** Enable JetStream (default true). */
  jetstream?: boolean;
}

async function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('no port'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/** Spawns the server and resolves once its log says it is ready. */
function launch(args: string[]): Promise<ChildProcess> {
  if (NATS_SERVER === undefined) return Promise.reject(new Error(missingNatsServer));
  const binary = NATS_SERVER;
  return new Promise<ChildProcess>((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const onData = (chunk: Buffer): void => {
      log += chunk.toString('utf8');
      if (log.includes('Server is ready')) {
        child.stderr?.off('data', onData);
        child.stdout?.off('data', onData);
        child.stderr?.resume();
        child.stdout?.resume();
        resolve(child);
      }
    };
    child.stderr?.on('data', onData);
    child.stdout?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`nats-server exited (${String(code)}) before ready:\n${log}`)),
    );
  });
}

function exited(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** Starts a `nats-server` with JetStream in a temporary store on a free loopback port. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const port = await freePort();
  const storeDir = await mkdtemp(join(tmpdir(), 'golem-rx-nats-'));
  const args = ['-a', '127.0.0.1', '-p', String(port)];
  if (options.jetstream !== false) args.push('-js', '-sd', storeDir);
  if (options.token !== undefined) args.push('--auth', options.token);
  let child: ChildProcess | undefined = await launch(args);
  let stopped = false;
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    token: options.token,
    async shutdown() {
      if (child !== undefined) await exited(child, 'SIGTERM');
    },
    async kill() {
      if (child !== undefined) await exited(child, 'SIGKILL');
    },
    async restart() {
      if (child !== undefined) await exited(child, 'SIGTERM');
      child = await launch(args);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child !== undefined) await exited(child, 'SIGTERM');
      child = undefined;
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}
