import { gftpDownload, gftpUpload, parseGftpUrl, type GftpUrl } from '../gsb/gftpClient.js';
import { isGsbCallError } from '../gsb/GsbCallError.js';
import type { GsbNetwork } from '../gsb/index.js';
import { VirtualFs } from './VirtualFs.js';
import { isVirtualFsError } from './VirtualFsError.js';
import type { TransferCommandBody } from './exescript.js';
import { TransferError } from './TransferError.js';

/** What a transfer needs from its exe-unit. */
export interface TransferContext {
  readonly fs: VirtualFs;
  /** Aborts the HTTP request (the command's and the exe-unit's abort). */
  readonly signal: AbortSignal;
  /** Largest body accepted from an HTTP GET or a `data:` URL. */
  readonly maxBytes: number;
  /** Called once with the bytes moved, when the command asked for progress. */
  readonly onProgress?: (done: number, total: number | null) => void;
  /** The requestor's GSB services, for `gftp://` URLs; absent, `gftp:` is unsupported. */
  readonly gsb?: GsbNetwork;
}

type Endpoint =
  | { kind: 'container'; path: string }
  | { kind: 'http'; url: string }
  | { kind: 'data'; url: string }
  | { kind: 'gftp'; url: string; gftp: GftpUrl };

/**
 * Executes a `transfer` command between requestor URLs and the activity's file system:
 * `http(s)://` or `data:` → `container:/path` (GET, parent directories created),
 * `container:/path` → `http(s)://` (PUT of the file's bytes), `container:` → `container:` (copy);
 * `gftp://<requestor>/<file id>` → `container:` and `container:` → `gftp://` through the requestor's
 * GSB services, as yagna's exe-unit does (`GetMetadata`/`GetChunk`; `UploadChunk`/`UploadFinished`).
 * Uses the global `fetch` with the context's AbortSignal (an edge adapter: real network I/O).
 *
 * @throws {TransferError} for an unsupported scheme or combination, an archive `format`/`fileset`,
 *   an HTTP error status, a network failure, a failed GSB call, a missing source file or an
 *   oversized body.
 */
export async function runTransfer(body: TransferCommandBody, ctx: TransferContext): Promise<void> {
  const context = { from: body.from, to: body.to };
  if (body.format !== undefined || body.fileset !== undefined || body.depth !== undefined) {
    throw new TransferError(
      'devnet transfers single files only (format, depth and fileset are not supported)',
      context,
    );
  }
  const from = endpoint(body.from, context, ctx);
  const to = endpoint(body.to, context, ctx);
  if (to.kind === 'data') throw new TransferError('a data: URL cannot be a transfer destination', context);
  if ((to.kind === 'http' || to.kind === 'gftp') && from.kind !== 'container') {
    throw new TransferError(
      `transfers to ${to.kind === 'http' ? 'http(s)' : 'gftp'} must come from a container: path`,
      context,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes =
      from.kind === 'container'
        ? ctx.fs.readFile(from.path)
        : from.kind === 'data'
          ? decodeDataUrl(from.url, context)
          : from.kind === 'gftp'
            ? await viaGsb(ctx, context, (gsb) => gftpDownload(gsb, from.gftp, ctx.maxBytes, ctx.signal))
            : await get(from.url, ctx, context);
    if (bytes.length > ctx.maxBytes)
      throw new TransferError(
        `transfer of ${bytes.length} bytes exceeds the limit of ${ctx.maxBytes}`,
        context,
      );
    if (to.kind === 'container') ctx.fs.writeFile(to.path, bytes, { createParents: true });
    else if (to.kind === 'gftp')
      await viaGsb(ctx, context, (gsb) => gftpUpload(gsb, to.gftp, bytes, ctx.signal));
    else await put(to.url, bytes, ctx, context);
  } catch (err) {
    if (isVirtualFsError(err))
      throw new TransferError(`transfer failed: ${err.message}`, context, { cause: err });
    throw err;
  }
  ctx.onProgress?.(bytes.length, bytes.length);
}

function endpoint(url: string, context: { from: string; to: string }, ctx: TransferContext): Endpoint {
  if (url.startsWith('container:')) {
    const rest = url.slice('container:'.length);
    return { kind: 'container', path: VirtualFs.resolve(rest.startsWith('/') ? rest : `/${rest}`) };
  }
  if (/^https?:\/\//i.test(url)) return { kind: 'http', url };
  if (/^data:/i.test(url)) return { kind: 'data', url };
  if (/^gftp:/i.test(url) && ctx.gsb !== undefined) {
    const gftp = parseGftpUrl(url);
    if (gftp === undefined) throw new TransferError('Invalid gftp URL (gftp://<node id>/<file id>)', context);
    if (gftp.nodeId.toLowerCase() !== ctx.gsb.nodeId.toLowerCase())
      throw new TransferError(
        `gftp: node ${gftp.nodeId} is not reachable (devnet's requestor is ${ctx.gsb.nodeId})`,
        context,
      );
    return { kind: 'gftp', url, gftp };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1] ?? url;
  const known =
    ctx.gsb === undefined ? 'container:, http(s): and data:' : 'container:, http(s):, data: and gftp:';
  throw new TransferError(`unsupported transfer URL scheme '${scheme}' (devnet supports ${known})`, context);
}

/** Runs a gftp transfer; its failures (a GSB call, a bad answer) become {@link TransferError}s. */
async function viaGsb<T>(
  ctx: TransferContext,
  context: { from: string; to: string },
  transfer: (gsb: GsbNetwork) => Promise<T>,
): Promise<T> {
  try {
    return await transfer(ctx.gsb!);
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    const message = err instanceof Error ? err.message : String(err);
    const kind = isGsbCallError(err) ? 'GSB call failed' : 'failed';
    throw new TransferError(`gftp transfer ${kind}: ${message}`, context, { cause: err });
  }
}

async function get(
  url: string,
  ctx: TransferContext,
  context: { from: string; to: string },
): Promise<Uint8Array> {
  const res = await request(url, { method: 'GET', signal: ctx.signal }, ctx, context);
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > ctx.maxBytes) {
    await res.body?.cancel();
    throw new TransferError(`transfer of ${declared} bytes exceeds the limit of ${ctx.maxBytes}`, context);
  }
  return new Uint8Array(await res.arrayBuffer());
}

async function put(
  url: string,
  bytes: Uint8Array,
  ctx: TransferContext,
  context: { from: string; to: string },
): Promise<void> {
  const res = await request(
    url,
    {
      method: 'PUT',
      body: new Uint8Array(bytes),
      headers: { 'content-type': 'application/octet-stream' },
      signal: ctx.signal,
    },
    ctx,
    context,
  );
  await res.arrayBuffer();
}

async function request(
  url: string,
  init: RequestInit,
  ctx: TransferContext,
  context: { from: string; to: string },
): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    throw new TransferError(
      `${init.method} ${url} failed: ${(err as Error).message}${cause ? ` (${cause})` : ''}`,
      context,
      { cause: err },
    );
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new TransferError(`${init.method} ${url} failed: HTTP ${res.status} ${res.statusText}`, {
      ...context,
      status: res.status,
    });
  }
  return res;
}

function decodeDataUrl(url: string, context: { from: string; to: string }): Uint8Array {
  const m = /^data:([^,]*?)(;base64)?,([\s\S]*)$/i.exec(url);
  if (m === null) throw new TransferError('malformed data: URL', context);
  const payload = m[3]!;
  if (m[2] !== undefined)
    return new Uint8Array(Buffer.from(decodeURIComponentBytes(payload).toString('latin1'), 'base64'));
  return new Uint8Array(decodeURIComponentBytes(payload));
}

/** Percent-decodes byte by byte (unlike `decodeURIComponent`, any byte sequence is fine). */
function decodeURIComponentBytes(s: string): Buffer {
  const bytes: number[] = [];
  const raw = Buffer.from(s, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    if (
      b === 0x25 &&
      i + 2 < raw.length &&
      /^[0-9a-fA-F]{2}$/.test(raw.subarray(i + 1, i + 3).toString('latin1'))
    ) {
      bytes.push(parseInt(raw.subarray(i + 1, i + 3).toString('latin1'), 16));
      i += 2;
    } else bytes.push(b);
  }
  return Buffer.from(bytes);
}
