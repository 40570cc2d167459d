/**
 * yapapi's activity terms on a rental, on devnet over loopback HTTP: `timeout` stops and settles it;
 * `costWarning` warns once; `costCap` stops it as soon as its debit notes reach the cap, and the
 * node's payer accepts nothing beyond it (what goes over is rejected through yagna, which answers
 * 501, and reported as a typed refusal).
 */
import { Decimal } from 'decimal.js';
import { lastValueFrom, take, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DevnetHandle } from '@golem-rx/devnet';
import {
  type GolemNode,
  type Proposal,
  type RentalEvent,
  USAGE,
  isBudgetExceededError,
  linearPricing,
  priceFor,
} from 'golem-rx';
import { NOTHING_OPEN, nodeOn, openCounts, rentalDevnet } from './support.js';

let devnet: DevnetHandle;
let node: GolemNode;

beforeEach(async () => {
  devnet = await rentalDevnet();
  node = nodeOn(devnet);
});

afterEach(async () => {
  await node.close();
  await devnet.stop();
});

/** The offer on devnet whose duration costs the most per second, and what that price is. */
async function priciestOffer(): Promise<{ providerId: string; start: Decimal; perSec: Decimal }> {
  const offers = await lastValueFrom(node.demand$({ payload: {} }).pipe(take(4), toArray()));
  const priced = offers.map((offer: Proposal) => {
    const pricing = linearPricing(offer.properties);
    return {
      providerId: offer.providerId,
      start: pricing.start,
      perSec: priceFor(pricing, USAGE.durationSec)!,
    };
  });
  return priced.reduce((best, next) => (next.perSec.greaterThan(best.perSec) ? next : best));
}

describe('activity terms on devnet', () => {
  it('timeout: the rental stops after it, and settles', async () => {
    const rental = await node.rent({ payload: {}, budget: 1, timeout: 1_000 });
    const events: RentalEvent[] = [];
    rental.events$.subscribe((event) => events.push(event));
    await lastValueFrom(rental.state$);
    expect(events.map((e) => e.type)).toEqual(['timedOut', 'stopped']);
    expect(rental.report).toMatchObject({ cause: 'timeout', ok: true, invoice: { status: 'accepted' } });
    expect(openCounts(devnet)).toEqual(NOTHING_OPEN);
  });

  it('costWarning warns once, costCap stops the rental and the payer pays nothing beyond the cap', async () => {
    const offer = await priciestOffer();
    // at 1 s a debit note; cost grows by at least `perSec` a second (more once commands run)
    const costWarning = offer.start.plus(offer.perSec.times(1));
    const costCap = offer.start.plus(offer.perSec.times(3));
    const accepted: Decimal[] = [];
    node.payments$.subscribe((e) => e.kind === 'accepted' && accepted.push(e.amount));
    const rental = await node.rent({
      payload: {},
      budget: 1,
      costWarning,
      costCap,
      paymentTerms: { debitNoteIntervalSec: 1 },
      market: { scorer: (p) => (p.providerId === offer.providerId ? 1 : null) },
    });
    const events: RentalEvent[] = [];
    rental.events$.subscribe((event) => events.push(event));
    await lastValueFrom(rental.state$);

    const kinds = events.map((e) => e.type);
    expect(kinds.indexOf('costWarning')).toBeGreaterThanOrEqual(0);
    expect(kinds.indexOf('costWarning')).toBeLessThan(kinds.indexOf('costCapReached'));
    expect(kinds.filter((k) => k === 'costWarning')).toHaveLength(1);
    const report = rental.report!;
    expect(report.cause).toBe('costCap');
    expect(report.cost.greaterThanOrEqualTo(costCap)).toBe(true);
    // the invoice bills past the cap: refused, rejected through yagna (devnet answers 501)
    expect(report.invoice.status).toBe('refused');
    if (report.invoice.status !== 'refused') return;
    expect(isBudgetExceededError(report.invoice.error)).toBe(true);
    expect(report.invoice.rejection).toBe('notImplemented');
    // nothing was paid beyond the cap
    const paid = accepted.reduce((sum, amount) => sum.plus(amount), new Decimal(0));
    expect(paid.lessThanOrEqualTo(costCap)).toBe(true);
    expect(openCounts(devnet)).toMatchObject({ demands: 0, agreements: 0, activities: 0 });
    // close() reports the refused invoice, unsettled
    const closed = await node.close();
    expect(closed.unsettled.map((u) => u.reason)).toEqual(['refused']);
    expect(openCounts(devnet)).toEqual(NOTHING_OPEN);
  });
});
