/**
 * `node.rent()` on devnet over loopback HTTP, through the public API: one rental runs a command,
 * streams output, moves files through the HTTP StorageServer, and `stop()` leaves nothing open on
 * devnet with its invoice accepted; the node's close stops a rental still running.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DevnetHandle } from '@golem-rx/devnet';
import { type GolemNode, type RentalEvent, isRentalStoppedError } from 'golem-rx';
import { StorageServer } from 'golem-rx/storage';
import { NOTHING_OPEN, agreementsSigned, invoiceStats, nodeOn, openCounts, rentalDevnet } from './support.js';

let devnet: DevnetHandle;
let node: GolemNode;
let storage: StorageServer;
let dir: string;

beforeEach(async () => {
  devnet = await rentalDevnet();
  node = nodeOn(devnet);
  storage = new StorageServer();
  dir = await mkdtemp(join(tmpdir(), 'golem-rx-rental-'));
});

afterEach(async () => {
  await node.close();
  await storage.close();
  await devnet.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('node.rent on devnet', () => {
  it('rents one provider, runs, streams, transfers files, and stop() settles: nothing left open', async () => {
    const rental = await node.rent({ payload: {}, budget: 1, storage });
    const events: RentalEvent[] = [];
    rental.events$.subscribe((event) => events.push(event));
    expect(rental.state).toBe('ready');
    expect(agreementsSigned(devnet)).toBe(1);
    // the demand is withdrawn once the rental is made
    await vi.waitFor(() => expect(openCounts(devnet).demands).toBe(0));

    const { stdout } = await rental.run('echo hello from $(pwd)');
    expect(stdout).toBe('hello from /golem/work\n');

    const chunks = await lastValueFrom(
      rental.runAndStream('echo one; sleep 0.2; echo two >&2; echo three').pipe(toArray()),
    );
    expect(chunks.map(({ stream, text }) => `${stream}:${text}`)).toEqual([
      'stdout:one\n',
      'stderr:two\n',
      'stdout:three\n',
    ]);

    const bytes = new Uint8Array(64 * 1024).map((_, i) => (i * 7) % 251);
    const local = join(dir, 'in.bin');
    await writeFile(local, bytes);
    await rental.uploadFile(local, '/golem/work/in.bin');
    await rental.uploadData('some text', '/golem/work/note.txt');
    const remoteSum = (await rental.run('sha256sum /golem/work/in.bin')).stdout.split(' ')[0];
    expect(remoteSum).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(new TextDecoder().decode(await rental.downloadData('/golem/work/note.txt'))).toBe('some text');
    const back = join(dir, 'back.bin');
    await rental.downloadFile('/golem/work/in.bin', back);
    expect(new Uint8Array(await readFile(back))).toEqual(bytes);
    expect(storage.openTransfers).toBe(0);

    const report = await rental.stop();
    expect(report.ok).toBe(true);
    expect(report.cause).toBe('requested');
    expect(report.failures).toEqual([]);
    expect(report.invoice.status).toBe('accepted');
    // what it cost: at least what the invoice billed
    if (report.invoice.status === 'accepted') expect(report.cost).toEqual(report.invoice.amount);
    expect(report.cost.greaterThan(0)).toBe(true);
    expect(rental.state).toBe('stopped');
    expect(events.at(-1)).toEqual({ type: 'stopped', agreementId: rental.id, report });
    // idempotent: the same report; a stopped rental runs nothing
    expect(await rental.stop()).toBe(report);
    await expect(rental.run('true')).rejects.toSatisfy(isRentalStoppedError);
    // the allocation made for the rental was released: nothing is left on devnet
    expect(openCounts(devnet)).toEqual(NOTHING_OPEN);
    expect(invoiceStats(devnet)).toEqual({ issued: 1, accepted: 1 });
    expect((await node.close()).ok).toBe(true);
  });

  it('node.close() stops a rental still running, waits for its invoice, and reports it settled', async () => {
    const rental = await node.rent({ payload: {}, budget: 1 });
    const report = await node.close();
    expect(report).toEqual({ ok: true, failures: [], unsettled: [] });
    expect(rental.state).toBe('stopped');
    expect(rental.report?.cause).toBe('nodeClosing');
    expect(rental.report?.invoice.status).toBe('accepted');
    expect(openCounts(devnet)).toEqual(NOTHING_OPEN);
    expect(invoiceStats(devnet)).toEqual({ issued: 1, accepted: 1 });
  });

  it('a transfer without a storage fails with a RangeError and sends nothing', async () => {
    const rental = await node.rent({ payload: {}, budget: 1 });
    await expect(rental.uploadData('x', '/golem/work/x')).rejects.toThrow(RangeError);
    await rental.stop();
  });
});
