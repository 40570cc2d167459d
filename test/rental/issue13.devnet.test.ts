/**
 * Issue 13's end-to-end check on devnet, through the public API: a pool of 3 rentals in a VPN,
 * a 5 MB file sent to each through the GSB storage (no port of ours open) and its SHA-256 read
 * back, a TCP service on one of them reached through the proxy, then `drain()`: devnet shows
 * nothing open and every invoice accepted.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { DevnetHandle } from '@golem-rx/devnet';
import type { GolemNode } from 'golem-rx';
import { createTcpProxy } from 'golem-rx/net';
import { GsbStorage } from 'golem-rx/storage';
import { NOTHING_OPEN, invoiceStats, nodeOn, openCounts, rentalDevnet } from './support.js';

let devnet: DevnetHandle;
let node: GolemNode;
let dir: string;

beforeEach(async () => {
  devnet = await rentalDevnet(5);
  node = await nodeOn(devnet).start();
  dir = await mkdtemp(join(tmpdir(), 'golem-rx-issue13-'));
});

afterEach(async () => {
  await node.close();
  await devnet.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Sends `bytes` to the proxy and reads until as many came back. */
function roundTrip(port: number, bytes: Buffer): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const socket: Socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= bytes.length) socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

it('a pool of 3 in a VPN: 5 MB to each through GSB, TCP through the proxy, drained clean', async () => {
  const storage = new GsbStorage({ api: node.api });
  const network = await node.createNetwork();
  const pool = node.rentalPool({ min: 3, max: 3, payload: {}, budget: 5, storage, network });
  await pool.ready();

  const content = randomBytes(5 * 1024 * 1024);
  const local = join(dir, 'input.bin');
  await writeFile(local, content);
  const expected = createHash('sha256').update(content).digest('hex');
  const rentals = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
  const sums = await Promise.all(
    rentals.map(async (rental) => {
      await rental.uploadFile(local, '/golem/work/input.bin');
      return (await rental.run('sha256sum /golem/work/input.bin')).stdout.split(' ')[0];
    }),
  );
  expect(sums).toEqual([expected, expected, expected]);

  const [echo] = rentals;
  await echo.run('tcp-echo 7');
  {
    await using proxy = await createTcpProxy(network, echo, 7);
    const bytes = randomBytes(64 * 1024);
    expect((await roundTrip(proxy.port, bytes)).equals(bytes)).toBe(true);
  }
  for (const rental of rentals) pool.release(rental);

  const report = await pool.drain();
  expect(report.ok).toBe(true);
  expect(report.reports.map((r) => r.invoice.status)).toEqual(['accepted', 'accepted', 'accepted']);
  await network.remove();
  await storage.close();
  expect(openCounts(devnet)).toEqual(NOTHING_OPEN);
  expect(invoiceStats(devnet)).toEqual({ issued: 3, accepted: 3 });
});
