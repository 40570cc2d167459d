/**
 * `node.rentalPool()` on devnet over loopback HTTP, through the public API: a pool of 2–3 signs
 * exactly the agreements it needs, hands rentals out and takes them back, replaces one whose
 * provider terminates it (the activity crashes: devnet's `crashActivity`; or the provider ends the
 * agreement), and `drain()` leaves nothing open with every invoice accepted.
 */
import { firstValueFrom, filter } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DevnetHandle } from '@golem-rx/devnet';
import { type GolemNode, type Rental, isBatchError, isRentalPoolDrainedError } from 'golem-rx';
import { NOTHING_OPEN, agreementsSigned, invoiceStats, nodeOn, openCounts, rentalDevnet } from './support.js';

let devnet: DevnetHandle;
let node: GolemNode;

beforeEach(async () => {
  devnet = await rentalDevnet(5);
  node = nodeOn(devnet);
});

afterEach(async () => {
  await node.close();
  await devnet.stop();
});

describe('node.rentalPool on devnet', () => {
  it('keeps min, grows to max on demand, hands out with acquire/release/withRental, and drains', async () => {
    const pool = node.rentalPool({ min: 2, max: 3, payload: {}, budget: 3 });
    await pool.ready();
    expect(pool.state).toMatchObject({ ready: 2, busy: 0, starting: 0 });
    expect(agreementsSigned(devnet)).toBe(2);

    // two acquired, a third one grows the pool to max; a fourth waits for a release
    const [a, b, c] = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    expect(new Set([a.providerId, b.providerId, c.providerId]).size).toBe(3);
    expect(agreementsSigned(devnet)).toBe(3);
    const fourth = pool.acquire().then((rental) => rental);
    await vi.waitFor(() => expect(pool.state.waiting).toBe(1));
    pool.release(b);
    expect(await fourth).toBe(b);
    pool.release(a);
    pool.release(b);
    pool.release(c);

    const outputs = await Promise.all(
      ['1', '2', '3', '4', '5'].map((x) => pool.withRental((rental) => rental.run(`echo ${x}`))),
    );
    expect(outputs.map((o) => o.stdout)).toEqual(['1\n', '2\n', '3\n', '4\n', '5\n']);
    // never more than max agreements
    expect(agreementsSigned(devnet)).toBe(3);
    expect(pool.state).toMatchObject({ ready: 3, busy: 0 });

    const report = await pool.drain();
    expect(report.ok).toBe(true);
    expect(report.reports).toHaveLength(3);
    expect(report.reports.every((r) => r.invoice.status === 'accepted')).toBe(true);
    expect(pool.state).toMatchObject({ ready: 0, busy: 0, starting: 0, stopping: 0, phase: 'drained' });
    expect(openCounts(devnet)).toEqual(NOTHING_OPEN);
    expect(invoiceStats(devnet)).toEqual({ issued: 3, accepted: 3 });
    await expect(pool.acquire()).rejects.toSatisfy(isRentalPoolDrainedError);
    expect((await node.close()).ok).toBe(true);
  });

  it('replaces a rental whose activity crashes (the provider terminates the agreement)', async () => {
    const pool = node.rentalPool({ min: 2, max: 2, payload: {}, budget: 3 });
    const rentals: Rental[] = [];
    pool.events$.subscribe((e) => e.type === 'added' && rentals.push(e.rental));
    await pool.ready();
    const victim = await pool.acquire();
    devnet.faults.add({ kind: 'crashActivity', providers: [victim.providerId] });
    await expect(victim.run('echo doomed')).rejects.toSatisfy(isBatchError);

    // the provider terminated the agreement: the rental stops by itself, the pool rents another
    const lost = await firstValueFrom(pool.events$.pipe(filter((e) => e.type === 'stopped')));
    expect(lost.type === 'stopped' && lost.rental).toBe(victim);
    expect(victim.report?.cause).toBe('providerTerminated');
    expect(victim.report?.invoice.status).toBe('accepted');
    await vi.waitFor(() => expect(pool.state).toMatchObject({ ready: 2, busy: 0, starting: 0 }));
    expect(rentals).toHaveLength(3);
    expect(rentals[2]!.providerId).not.toBe(victim.providerId);
    pool.release(victim); // ignored: it is not in the pool any more
    expect(pool.state).toMatchObject({ ready: 2, busy: 0 });

    const report = await pool.drain();
    expect(report.reports).toHaveLength(3);
    expect(report.ok).toBe(true);
    expect(openCounts(devnet)).toEqual(NOTHING_OPEN);
    expect(invoiceStats(devnet)).toEqual({ issued: 3, accepted: 3 });
  });

  it('puts each rental in the network given, and takes it out when the rental stops', async () => {
    const network = await node.createNetwork();
    const pool = node.rentalPool({ min: 2, max: 2, payload: {}, budget: 2, network });
    await pool.ready();
    const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
    const ips = [a.networkNode?.ip, b.networkNode?.ip];
    expect(new Set(ips)).toEqual(new Set(['192.168.0.2', '192.168.0.3']));
    expect(network.nodes.map((n) => n.id).sort()).toEqual(
      [devnet.requestorId, a.providerId, b.providerId].sort(),
    );
    const report = await pool.drain();
    expect(report.ok).toBe(true);
    expect(network.nodes).toEqual([network.requestor]);
    await network.remove();
    expect(openCounts(devnet)).toEqual(NOTHING_OPEN);
  });

  it('replaces a ready rental whose provider ends the agreement', async () => {
    const pool = node.rentalPool({ min: 1, max: 1, payload: {}, budget: 2 });
    const [first] = await firstValueFrom(pool.rentals$.pipe(filter((list) => list.length === 1)));
    devnet.market.terminateByProvider(first!.id, { message: 'Going offline', code: 'Shutdown' });
    const second = await firstValueFrom(
      pool.rentals$.pipe(filter((list) => list.length === 1 && list[0] !== first)),
    );
    expect(second[0]!.providerId).not.toBe(first!.providerId);
    expect(first!.report?.cause).toBe('providerTerminated');
    expect(first!.report?.providerReason?.message).toBe('Going offline');

    // node.close() drains the open pool and waits for it
    const report = await node.close();
    expect(report.ok).toBe(true);
    expect(pool.state.phase).toBe('drained');
    expect(openCounts(devnet)).toEqual(NOTHING_OPEN);
    expect(invoiceStats(devnet)).toEqual({ issued: 2, accepted: 2 });
  });
});
