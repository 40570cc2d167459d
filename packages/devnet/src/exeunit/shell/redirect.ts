import { VirtualFs } from '../VirtualFs.js';
import { expandString, type ExpandContext } from './expand.js';
import type { Redirect } from './parser.js';
import { ShellError } from './ShellError.js';
import type { ShellIo, Sink } from './types.js';

const DISCARD: Sink = () => undefined;

/**
 * Applies a command's redirections, left to right: `[n]> file` (truncate), `[n]>> file`,
 * `< file`, `n>&m` (1 or 2), `n>&-` (close: discard), `&> file` / `>& file` (both).
 * `/dev/null` reads empty and discards writes. Writes go through to the file as they happen.
 *
 * @throws {VirtualFsError} for a missing input file or a missing directory
 * @throws {ShellError} for a file descriptor other than 0, 1, 2
 */
export async function applyRedirects(
  fs: VirtualFs,
  redirects: readonly Redirect[],
  ctx: ExpandContext,
  io: ShellIo,
): Promise<ShellIo> {
  if (redirects.length === 0) return io;
  const fds: { 0: Uint8Array; 1: Sink; 2: Sink } = { 0: io.stdin, 1: io.stdout, 2: io.stderr };
  for (const r of redirects) {
    const target = await expandString(r.target, ctx);
    if (r.op === '<&') continue;
    if (r.fd > 2) throw new ShellError(`${r.fd}: bad file descriptor`, { status: 1 });
    const out = r.fd === 2 ? 2 : 1;
    if (r.op === '>&' && /^\d$/.test(target)) {
      if (r.fd === 0 || (target !== '1' && target !== '2')) {
        throw new ShellError(`${target}: bad file descriptor`, { status: 1 });
      }
      fds[out] = fds[target === '1' ? 1 : 2];
      continue;
    }
    if (r.op === '>&' && target === '-') {
      if (r.fd !== 0) fds[out] = DISCARD;
      continue;
    }
    const path = VirtualFs.resolve(target, ctx.state.cwd);
    if (r.op === '<') {
      fds[0] = path === '/dev/null' ? new Uint8Array(0) : fs.readFile(path);
      continue;
    }
    const sink = fileSink(fs, path, r.op === '>>');
    if (r.op === '&>' || r.op === '>&') {
      fds[1] = sink;
      fds[2] = sink;
    } else fds[out] = sink;
  }
  return { stdin: fds[0], stdout: fds[1], stderr: fds[2] };
}

function fileSink(fs: VirtualFs, path: string, append: boolean): Sink {
  if (path === '/dev/null') return DISCARD;
  if (path === '/dev/stdout' || path === '/dev/stderr')
    throw new ShellError(`${path}: not supported, use >&1 / >&2`, { status: 1 });
  if (!append || !fs.exists(path)) fs.writeFile(path, new Uint8Array(0));
  return (chunk) => fs.writeFile(path, chunk, { append: true });
}
