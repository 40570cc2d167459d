/**
 * The simulated exe-unit's `transfer` from and to `gftp://` URLs, over an in-memory stand-in of the
 * requestor's GSB services: the messages yagna's exe-unit sends (GetMetadata, then 40 KiB GetChunks
 * 8 at a time; 40 KiB UploadChunks 8 at a time, then UploadFinished with the SHA3-256), and how a
 * failure of the requestor's side becomes a failed transfer.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ExeUnit } from '../../src/exeunit/ExeUnit.js';
import type { ExeScriptCommand, ExeScriptCommandResult } from '../../src/exeunit/exescript.js';
import { GFTP_CHUNK_BYTES, GFTP_CONCURRENCY } from '../../src/gsb/gftpClient.js';
import { GsbCallError } from '../../src/gsb/GsbCallError.js';
import type { GsbMap, GsbNetwork, GsbValue } from '../../src/gsb/index.js';

const REQUESTOR = '0x9a3632f3c1cb2b5e6ba1d5ff0f62fc2b2eea7a41';
const deploy: ExeScriptCommand = { deploy: {} };
const start: ExeScriptCommand = { start: {} };
const transfer = (from: string, to: string): ExeScriptCommand => ({ transfer: { from, to } });
const shell = (script: string): ExeScriptCommand => ({
  run: { entry_point: '/bin/sh', args: ['-c', script], capture: { stdout: { atEnd: { format: 'string' } } } },
});

interface Call {
  readonly address: string;
  readonly payload: GsbMap;
}

/** A requestor's services in memory: answers with `answer`, counting the calls in flight. */
function network(answer: (call: Call) => GsbValue | Promise<GsbValue>): GsbNetwork & {
  calls: Call[];
  maxInFlight: number;
} {
  let inFlight = 0;
  const net = {
    nodeId: REQUESTOR,
    calls: [] as Call[],
    maxInFlight: 0,
    async call(address: string, payload: GsbMap): Promise<GsbValue> {
      net.calls.push({ address, payload });
      inFlight += 1;
      net.maxInFlight = Math.max(net.maxInFlight, inFlight);
      try {
        await Promise.resolve(); // answer after the others of the same tick started
        return await answer({ address, payload });
      } finally {
        inFlight -= 1;
      }
    },
  };
  return net;
}

/** Serves `content` as gftp's publisher does. */
function publisher(content: Uint8Array) {
  return network(({ address, payload }): GsbValue => {
    if (address.endsWith('/GetMetadata')) return { fileSize: content.byteLength };
    const offset = payload.offset as number;
    const size = payload.size as number;
    return { offset, content: content.subarray(offset, offset + size) };
  });
}

async function runBatch(unit: ExeUnit, commands: ExeScriptCommand[]): Promise<ExeScriptCommandResult[]> {
  const id = unit.exec(commands);
  return (await unit.waitForResults(id, undefined, 20_000)).results;
}

describe('transfer from and to gftp:// (devnet exe-unit)', () => {
  it('downloads: GetMetadata, then 40 KiB GetChunks at most 8 at a time, into the file system', async () => {
    const content = new Uint8Array(randomBytes(1024 * 1024 + 5));
    const gsb = publisher(content);
    const unit = new ExeUnit({ gsb });
    const results = await runBatch(unit, [
      deploy,
      start,
      transfer(`gftp://${REQUESTOR}/f1`, 'container:/golem/input/in.bin'),
      shell('sha256sum /golem/input/in.bin'),
    ]);
    expect(results.map((r) => r.result)).toEqual(['Ok', 'Ok', 'Ok', 'Ok']);
    expect(results[3]!.stdout).toBe(
      `${createHash('sha256').update(content).digest('hex')}  /golem/input/in.bin\n`,
    );
    expect(gsb.calls[0]).toEqual({ address: '/public/gftp/f1/GetMetadata', payload: {} });
    const chunks = gsb.calls.slice(1);
    expect(chunks.map((c) => c.address)).toEqual(chunks.map(() => '/public/gftp/f1/GetChunk'));
    expect(chunks.map((c) => c.payload)).toEqual(
      Array.from({ length: Math.ceil(content.byteLength / GFTP_CHUNK_BYTES) }, (_, i) => ({
        offset: i * GFTP_CHUNK_BYTES,
        size: GFTP_CHUNK_BYTES,
      })),
    );
    expect(gsb.maxInFlight).toBe(GFTP_CONCURRENCY);
  });

  it('uploads: 40 KiB UploadChunks at most 8 at a time, then UploadFinished with the SHA3-256 of the file', async () => {
    const gsb = network(() => null);
    const unit = new ExeUnit({ gsb });
    const content = new Uint8Array(randomBytes(500_000));
    unit.fs.writeFile('/golem/output/out.bin', content, { createParents: true });
    const results = await runBatch(unit, [
      deploy,
      start,
      transfer('container:/golem/output/out.bin', `gftp://${REQUESTOR}/u1`),
    ]);
    expect(results.map((r) => r.result)).toEqual(['Ok', 'Ok', 'Ok']);
    const chunks = gsb.calls.slice(0, -1);
    expect(new Set(chunks.map((c) => c.address))).toEqual(new Set(['/public/gftp/u1/UploadChunk']));
    const received = new Uint8Array(content.byteLength);
    for (const { payload } of chunks) {
      const chunk = payload.chunk as { offset: number; content: Uint8Array };
      expect(chunk.content.byteLength).toBeLessThanOrEqual(GFTP_CHUNK_BYTES);
      received.set(chunk.content, chunk.offset);
    }
    expect(Buffer.from(received).equals(Buffer.from(content))).toBe(true);
    expect(gsb.calls.at(-1)).toEqual({
      address: '/public/gftp/u1/UploadFinished',
      payload: { hash: createHash('sha3-256').update(content).digest('hex') },
    });
    expect(gsb.maxInFlight).toBe(GFTP_CONCURRENCY);
  });

  it('a failure of the requestor’s side is a failed transfer: an error answered, a short chunk, another node, gftp to http', async () => {
    const failing = network(() => {
      throw new GsbCallError('ReadError: the file is gone', {
        address: '/public/gftp/x/GetMetadata',
        variant: 'ReadError',
      });
    });
    const short = network(({ address }): GsbValue =>
      address.endsWith('/GetMetadata') ? { fileSize: 10 } : { offset: 0, content: new Uint8Array(3) },
    );
    const cases: [GsbNetwork, ExeScriptCommand, RegExp][] = [
      [
        failing,
        transfer(`gftp://${REQUESTOR}/x`, 'container:/golem/input/x'),
        /^gftp transfer GSB call failed: ReadError: the file is gone$/,
      ],
      [
        short,
        transfer(`gftp://${REQUESTOR}/x`, 'container:/golem/input/x'),
        /GetChunk at 0 answered 3 bytes instead of 10/,
      ],
      [
        short,
        transfer('gftp://0x1111111111111111111111111111111111111111/x', 'container:/x'),
        /is not reachable/,
      ],
      [
        short,
        transfer(`gftp://${REQUESTOR}/x`, 'http://127.0.0.1:1/x'),
        /transfers to http\(s\) must come from a container/,
      ],
      [short, transfer('gftp://nonsense', 'container:/x'), /Invalid gftp URL/],
    ];
    for (const [gsb, command, message] of cases) {
      const unit = new ExeUnit({ gsb });
      const results = await runBatch(unit, [deploy, start, command]);
      expect(results.at(-1)).toMatchObject({ result: 'Error' });
      expect(results.at(-1)!.message).toMatch(message);
    }
  });
});
