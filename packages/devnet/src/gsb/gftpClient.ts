/**
 * The provider's side of gftp, as yagna's exe-unit transfers from and to `gftp://<node id>/<file id>`
 * (`exe-unit/components/transfer/src/gftp.rs`): a download asks `GetMetadata` for the size, then
 * `GetChunk` for 40 KiB chunks, 8 in flight; an upload sends `UploadChunk`s of 40 KiB, 8 in
 * flight, then `UploadFinished` with the SHA3-256 (hex) of the whole file. Every call goes to
 * `/public/gftp/<file id>/<message>` on the requestor's node.
 */
import { createHash } from 'node:crypto';
import type { GsbNetwork } from './index.js';

/** The chunk size of gftp (`DEFAULT_CHUNK_SIZE`). */
export const GFTP_CHUNK_BYTES = 40 * 1024;
/** Chunks in flight at once (`GftpTransferProvider`'s concurrency). */
export const GFTP_CONCURRENCY = 8;

/** The parts of a `gftp://` URL. */
export interface GftpUrl {
  readonly nodeId: string;
  readonly fileId: string;
}

/** The node id and file id of a `gftp://` URL, or `undefined` when it is not one. */
export function parseGftpUrl(url: string): GftpUrl | undefined {
  const m = /^gftp:\/\/([^/?#]+)\/([^?#]+)$/i.exec(url);
  return m === null ? undefined : { nodeId: m[1]!, fileId: m[2]! };
}

/**
 * Downloads the file `url` names from the requestor's gftp service.
 * @throws {GsbCallError} when a call fails; {@link Error} when the file is over `maxBytes` or a
 *   chunk is not what was asked for
 */
export async function gftpDownload(
  network: GsbNetwork,
  url: GftpUrl,
  maxBytes: number,
  signal: AbortSignal,
): Promise<Uint8Array> {
  const at = `/public/gftp/${url.fileId}`;
  const meta = await network.call(`${at}/GetMetadata`, {}, signal);
  const size = (meta as { fileSize?: unknown } | null)?.fileSize;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw new Error('GetMetadata answered without a `fileSize`');
  if (size > maxBytes) throw new Error(`transfer of ${size} bytes exceeds the limit of ${maxBytes}`);
  const out = new Uint8Array(size);
  const offsets = Array.from({ length: Math.ceil(size / GFTP_CHUNK_BYTES) }, (_, i) => i * GFTP_CHUNK_BYTES);
  await inPool(offsets, async (offset) => {
    const chunk = await network.call(`${at}/GetChunk`, { offset, size: GFTP_CHUNK_BYTES }, signal);
    const content = (chunk as { content?: unknown } | null)?.content;
    const expected = Math.min(GFTP_CHUNK_BYTES, size - offset);
    if (!(content instanceof Uint8Array) || content.byteLength !== expected)
      throw new Error(`GetChunk at ${offset} answered ${describe(content)} instead of ${expected} bytes`);
    out.set(content, offset);
  });
  return out;
}

/**
 * Uploads `bytes` to the requestor's gftp upload service `url` names.
 * @throws {GsbCallError} when a call fails (`IntegrityError` when the hash does not match)
 */
export async function gftpUpload(
  network: GsbNetwork,
  url: GftpUrl,
  bytes: Uint8Array,
  signal: AbortSignal,
): Promise<void> {
  const at = `/public/gftp/${url.fileId}`;
  const offsets = Array.from(
    { length: Math.ceil(bytes.byteLength / GFTP_CHUNK_BYTES) },
    (_, i) => i * GFTP_CHUNK_BYTES,
  );
  await inPool(offsets, async (offset) => {
    const content = bytes.subarray(offset, offset + GFTP_CHUNK_BYTES);
    await network.call(`${at}/UploadChunk`, { chunk: { offset, content } }, signal);
  });
  const hash = createHash('sha3-256').update(bytes).digest('hex');
  await network.call(`${at}/UploadFinished`, { hash }, signal);
}

/** Runs `work` on each item, {@link GFTP_CONCURRENCY} at a time; the first failure wins. */
async function inPool<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < items.length && !failed) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error: unknown) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(GFTP_CONCURRENCY, items.length) }, worker));
}

function describe(content: unknown): string {
  return content instanceof Uint8Array ? `${content.byteLength} bytes` : 'no `content`';
}
