import {
  mkdtempSync,
  rmdirSync,
  lstatSync,
  renameSync,
  chmodSync,
  unlinkSync,
  mkdirSync,
  statSync,
} from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { BusConfigError } from './errors/BusConfigError.js';

/**
 * The longest Unix socket path accepted, in bytes: macOS allows 103 (`sun_path` is 104 with its
 * NUL), Linux 107; we hold every platform to the smaller.
 */
export const MAX_SOCKET_PATH_BYTES = 103;

/** A listening Unix socket server; `close` stops it and removes its socket file. */
export interface UnixServer {
  readonly path: string;
  close(): Promise<void>;
}

function checkPathLength(path: string): void {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new BusConfigError(
      { setting: 'path' },
      `Socket path is ${Buffer.byteLength(path)} bytes, the limit is ${MAX_SOCKET_PATH_BYTES}: ${path}`,
    );
  }
}

function errorCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

/** Is something listening at `path`? (A refused connection means a stale file.) */
function probe(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Refuse a live or non-socket file at `path`; remove a stale socket file. */
async function clearStale(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return;
    throw new BusConfigError({ setting: 'path' }, `Cannot inspect socket path ${path}`, { cause: err });
  }
  if (!isSocket) throw new BusConfigError({ setting: 'path' }, `${path} exists and is not a socket`);
  if (await probe(path)) throw new BusConfigError({ setting: 'path' }, `An endpoint already serves ${path}`);
  unlinkSync(path);
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Listen on a Unix socket at `path` with mode 0600, with no moment at which another user could
 * connect: the socket is bound inside a fresh 0700 directory beside `path`, chmod-ed, then
 * renamed into place. A stale socket file is replaced; a live one is refused.
 */
export async function listenUnix(path: string, onConnection: (socket: Socket) => void): Promise<UnixServer> {
  checkPathLength(path);
  await clearStale(path);
  const staging = mkdtempSync(join(dirname(path), '.bus-'));
  const stagingPath = join(staging, 's');
  const server = createServer(onConnection);
  let ino: number;
  try {
    checkPathLength(stagingPath);
    await listen(server, stagingPath);
    chmodSync(stagingPath, 0o600);
    renameSync(stagingPath, path);
    ino = statSync(path).ino;
  } catch (err) {
    server.close();
    throw err instanceof BusConfigError
      ? err
      : new BusConfigError({ setting: 'path' }, `Cannot serve ${path}`, { cause: err });
  } finally {
    rmdirSync(staging);
  }
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        try {
          if (statSync(path).ino === ino) unlinkSync(path);
        } catch (err) {
          if (errorCode(err) !== 'ENOENT') throw err;
        }
      }),
  };
}

/**
 * The default directory for socket files: `<tmpdir>/golem-rx-bus-<uid>`, created 0700. Refused
 * if it exists with other permissions or another owner.
 */
export function defaultSocketDir(): string {
  const uid = process.getuid?.() ?? 0;
  const dir = join(tmpdir(), `golem-rx-bus-${uid}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || (st.mode & 0o077) !== 0 || (process.getuid !== undefined && st.uid !== uid)) {
    throw new BusConfigError({ setting: 'path' }, `${dir} must be a directory owned by you with mode 0700`);
  }
  return dir;
}

/** Where an endpoint is reached: its name and the path of its socket. */
export interface ConnectionConfig {
  readonly name: string;
  readonly path: string;
}

/** The {@link ConnectionConfig} of `name`: `<dir>/<name>.sock`, `dir` defaulting to {@link defaultSocketDir}. */
export function connectionConfigFromName(name: string, dir: string = defaultSocketDir()): ConnectionConfig {
  return { name, path: join(dir, `${basename(name)}.sock`) };
}
