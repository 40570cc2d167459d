/**
 * `node.demand$` on devnet, over real loopback HTTP: a short-lived demand is republished and
 * proposals keep coming; a daemon restart does not stop them; a demand yagna lost is replaced at
 * once; every demand is unsubscribed when the subscriber leaves and when the node closes.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DevnetHandle } from '@golem-rx/devnet';
import { SourceHealthChanged } from '../../src/bus/events.js';
import type { GolemNode } from '../../src/node/GolemNode.js';
import type { Proposal } from '../../src/resources/Proposal.js';
import { nodeOn, openCounts, testDevnet } from './support/devnet.js';

let devnet: DevnetHandle;

beforeAll(async () => {
  devnet = await testDevnet({ providers: 3 });
});
afterAll(async () => {
  await devnet.stop();
});

/** Proposals as they come, by demand. */
function watch(node: GolemNode, options: Parameters<GolemNode['demand$']>[0]) {
  const seen: Proposal[] = [];
  const subscription = node.demand$(options).subscribe({ next: (p) => seen.push(p) });
  return {
    seen,
    subscription,
    demands: () => [...new Set(seen.map((p) => p.demandId))],
    ids: () => seen.map((p) => p.id),
  };
}

/** A demand that lives 1.2 s and is replaced 0.4 s before it ends. */
const shortLived = () => ({ payload: {}, expiration: Date.now() + 1_200, refresh: { margin: 400 } });

describe('node.demand$ on devnet', () => {
  it('republishes a short-lived demand before it expires: proposals keep coming, none twice, none left open', async () => {
    const node = nodeOn(devnet);
    const subscribed = devnet.stats().demands.subscribed;
    const w = watch(node, shortLived());
    // three demands, each with the three providers' offers
    await vi.waitFor(() => expect(w.demands().length).toBeGreaterThanOrEqual(3), { timeout: 10_000 });
    await vi.waitFor(() => expect(w.seen.filter((p) => p.demandId === w.demands()[2]).length).toBe(3));
    w.subscription.unsubscribe();
    expect(new Set(w.ids()).size).toBe(w.ids().length);
    expect(node.demand(w.demands()[0]!).closed).toBe(true); // unsubscribed once its successor polled
    await vi.waitFor(() => expect(openCounts(devnet).demands).toBe(0));
    // (one more may have been published just before the subscriber left, and released)
    const published = devnet.stats().demands.subscribed - subscribed;
    expect(published - w.demands().length).toBeGreaterThanOrEqual(0);
    expect(published - w.demands().length).toBeLessThanOrEqual(1);
    await node.close();
  });

  it('keeps the proposals coming through a daemon restart (its polls cut mid-stream)', async () => {
    const node = nodeOn(devnet);
    const health: string[] = [];
    node.events.events$.subscribe((e) => {
      if (e instanceof SourceHealthChanged && e.source.startsWith('proposals:')) health.push(e.health.kind);
    });
    const w = watch(node, shortLived());
    await vi.waitFor(() => expect(w.seen.length).toBeGreaterThan(0));
    await vi.waitFor(() => expect(devnet.stats().pending.longPolls).toBeGreaterThan(0));
    devnet.restart();
    const before = w.demands().length;
    await vi.waitFor(() => expect(w.demands().length).toBeGreaterThanOrEqual(before + 2), {
      timeout: 10_000,
    });
    w.subscription.unsubscribe();
    expect(health).toContain('unreachable'); // the restart did cut a poll
    expect(new Set(w.ids()).size).toBe(w.ids().length);
    await vi.waitFor(() => expect(openCounts(devnet).demands).toBe(0));
    await node.close();
  });

  it('republishes at once a demand yagna has lost (as a real restart loses its in-memory market)', async () => {
    const node = nodeOn(devnet);
    const other = nodeOn(devnet);
    const w = watch(node, { payload: {} }); // refreshed only in 50 min
    await vi.waitFor(() => expect(w.seen).toHaveLength(3));
    const lost = w.seen[0]!.demand;
    await other.demand(lost.id).unsubscribe(); // behind the node's back: its poll answers 404
    await vi.waitFor(() => expect(w.seen).toHaveLength(6));
    expect(lost.closed).toBe(true);
    expect(w.demands()).toHaveLength(2);
    expect(new Set(w.ids()).size).toBe(6);
    expect(openCounts(devnet).demands).toBe(1);
    w.subscription.unsubscribe();
    await vi.waitFor(() => expect(openCounts(devnet).demands).toBe(0));
    await Promise.all([node.close(), other.close()]);
  });

  it('node.close() unsubscribes every open demand and completes the stream', async () => {
    const node = nodeOn(devnet);
    let completed = false;
    const w = watch(node, shortLived());
    w.subscription.add(() => (completed = true));
    await vi.waitFor(() => expect(w.demands().length).toBeGreaterThanOrEqual(2), { timeout: 10_000 });
    const report = await node.close();
    expect(report.ok).toBe(true);
    expect(completed).toBe(true);
    expect(openCounts(devnet).demands).toBe(0);
    expect(w.demands().every((id) => node.demand(id).closed)).toBe(true);
  });
});
