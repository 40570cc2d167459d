/**
 * The one-liner end to end on devnet (200 providers, real loopback HTTP):
 * `node.demand$(…).pipe(score, negotiate(4), createAgreement(), …, take(n))`.
 * - the demand signal: `take(2)` gives exactly 2 agreements, never more than 4 counter-proposals in
 *   flight (counted through the operators' hooks and on devnet's side);
 * - unsubscribing leaves nothing open on devnet;
 * - with providers rejecting counter-proposals and never approving agreements, it still gets there.
 */
import { firstValueFrom, map, type Subscription, take, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startDevnet, type DevnetHandle, parseFaultSpec } from '@golem-rx/devnet';
import { isAgreementNotApprovedError } from '../../src/errors/AgreementNotApprovedError.js';
import { isProposalRejectedError } from '../../src/resources/errors/ProposalRejectedError.js';
import {
  createActivity,
  createAgreement,
  createLease,
  type NegotiatedDraft,
  negotiate,
  type OperatorEvent,
  score,
} from '../../src/operators/index.js';
import type { Activity, Agreement, Proposal } from '../../src/resources/index.js';
import type { GolemNode } from '../../src/node/index.js';
import {
  agreementStats,
  byPrice,
  counteredUnanswered,
  nodeOn,
  openCounts,
  proposalStats,
} from './support.js';

const PROVIDERS = 200;

/**
 * Counts counter-proposals in flight and slots taken, on our side through `negotiate`'s hooks
 * (`respond` is called as each counter starts; a draft emitted or a `counterFailed` event ends it;
 * each draft's lease is wrapped to see it released) and on devnet's side by sampling its stats.
 */
class Meter {
  started = 0;
  failed = 0;
  inFlight = 0;
  leased = 0;
  maxInFlight = 0;
  maxSlots = 0;
  maxOnDevnet = 0;
  readonly events: OperatorEvent[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly devnet: DevnetHandle) {
    this.timer = setInterval(() => this.sample(), 1);
  }

  /** `negotiate`'s `respond` hook: a counter-proposal starts (with the port's default body). */
  readonly counterStarted = (): undefined => {
    this.started++;
    this.inFlight++;
    this.sample();
    return undefined;
  };

  /** The `onEvent` of every operator. */
  readonly onEvent = (event: OperatorEvent): void => {
    this.events.push(event);
    if (event.type === 'counterFailed') {
      this.failed++;
      this.inFlight--;
    }
    this.sample();
  };

  /** Put right after `negotiate`: the counter answered; its lease is wrapped to count releases. */
  readonly drafted = <T extends NegotiatedDraft>(item: T): T => {
    this.inFlight--;
    this.leased++;
    this.sample();
    const inner = item.lease;
    const lease = createLease(() => {
      this.leased--;
      inner.release();
    });
    return { ...item, lease };
  };

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  private sample(): void {
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.maxSlots = Math.max(this.maxSlots, this.inFlight + this.leased);
    this.maxOnDevnet = Math.max(this.maxOnDevnet, counteredUnanswered(this.devnet));
  }
}

let devnet: DevnetHandle;
let node: GolemNode;

beforeEach(async () => {
  devnet = await startDevnet({ port: 0, providers: PROVIDERS, seed: 42, thinkTimeMs: [10, 60] });
  node = nodeOn(devnet);
});

afterEach(async () => {
  await node.close();
  await devnet.stop();
});

/** Terminates what the consumer received (its job: the operators hand them over). */
async function release(
  agreements: readonly Agreement[],
  activities: readonly Activity[] = [],
): Promise<void> {
  await Promise.all(activities.map((a) => a.destroy()));
  await Promise.all(agreements.map((a) => a.terminate('Finished')));
}

describe('the one-liner on devnet', () => {
  it('take(2) after negotiate(4) signs exactly 2 agreements, never with more than 4 counters in flight', async () => {
    const allocation = await node.createAllocation({ amount: 100 });
    const meter = new Meter(devnet);
    const agreements = await firstValueFrom(
      node.demand$({ payload: {}, allocations: [allocation] }).pipe(
        score((p: Proposal) => byPrice(p), { minProposals: PROVIDERS, maxWait: 10_000 }),
        negotiate(4, { respond: meter.counterStarted, onEvent: meter.onEvent }),
        map((d) => meter.drafted(d)),
        createAgreement({ concurrency: 4, onEvent: meter.onEvent }),
        take(2),
        toArray(),
      ),
    );
    meter.stop();

    expect(agreements).toHaveLength(2);
    expect(new Set(agreements.map((a) => a.id)).size).toBe(2);
    expect(agreements.every((a) => a.approved)).toBe(true);
    // all four slots were used at once, and never more
    expect(meter.maxInFlight).toBe(4);
    expect(meter.maxSlots).toBe(4);
    expect(meter.maxOnDevnet).toBeGreaterThanOrEqual(1);
    expect(meter.maxOnDevnet).toBeLessThanOrEqual(4);
    // cross-check with devnet, once demand$ has unsubscribed its demand (no counter can come after
    // that; devnet's providers do not answer counters of an unsubscribed demand): every counter it
    // saw was one we started, and each slot was reused only after a draft was done with or a
    // counter failed
    await vi.waitFor(() => expect(openCounts(devnet).demands).toBe(0));
    const { countered, drafts } = proposalStats(devnet);
    expect(countered).toBeLessThanOrEqual(meter.started);
    expect(countered).toBeGreaterThanOrEqual(2);
    expect(drafts).toBeGreaterThanOrEqual(2);
    const agreementsFailed = meter.events.filter((e) => e.type === 'agreementFailed').length;
    expect(meter.started).toBeLessThanOrEqual(4 + agreements.length + agreementsFailed + meter.failed);
    // nothing signed beyond the two: the agreements devnet holds open are exactly ours
    await vi.waitFor(() => expect(openCounts(devnet).agreements).toBe(2));
    expect(agreementStats(devnet).Approved).toBe(2);

    await release(agreements);
    await vi.waitFor(() => expect(openCounts(devnet)).toMatchObject({ agreements: 0, demands: 0 }));
  });

  describe('after unsubscribe devnet holds no open agreement, activity or demand', () => {
    /**
     * Runs the full pipeline to activities and unsubscribes as soon as `when(received)` holds;
     * the consumer cleans up what it received, the operators the rest. Approvals are made slow
     * (300 ms of latency on `wait`) so that agreements are in flight for a while.
     */
    async function unsubscribeWhen(when: (received: readonly Activity[]) => boolean): Promise<Activity[]> {
      for (const fault of parseFaultSpec('latency:300@POST /market-api/v1/agreements/*/wait')) {
        devnet.faults.add(fault);
      }
      const allocation = await node.createAllocation({ amount: 100 });
      const received: Activity[] = [];
      const errors: unknown[] = [];
      const subscription: Subscription = node
        .demand$({ payload: {}, allocations: [allocation] })
        .pipe(
          score((p: Proposal) => byPrice(p), { minProposals: PROVIDERS, maxWait: 10_000 }),
          negotiate(4),
          createAgreement({ concurrency: 4 }),
          createActivity(),
        )
        .subscribe({ next: (a) => received.push(a), error: (e: unknown) => errors.push(e) });
      await vi.waitFor(() => expect(when(received)).toBe(true), { timeout: 20_000, interval: 5 });
      subscription.unsubscribe();
      expect(errors).toEqual([]);
      await release(
        received.map((a) => a.agreement),
        received,
      );
      await vi.waitFor(
        () => expect(openCounts(devnet)).toMatchObject({ agreements: 0, activities: 0, demands: 0 }),
        { timeout: 10_000 },
      );
      return received;
    }

    it('while agreements are being signed, before any activity', async () => {
      const received = await unsubscribeWhen(() => {
        const open = openCounts(devnet);
        return open.agreements >= 2 && open.activities === 0;
      });
      expect(received).toEqual([]);
      expect(agreementStats(devnet).total).toBeGreaterThanOrEqual(2);
    });

    it('with activities handed over and more agreements in flight', async () => {
      const received = await unsubscribeWhen(
        (got) => got.length >= 1 && openCounts(devnet).agreements >= got.length + 2,
      );
      expect(received.length).toBeGreaterThanOrEqual(1);
      expect(agreementStats(devnet).total).toBeGreaterThanOrEqual(received.length + 2);
    });
  });

  it('reaches 3 agreements although providers reject counters, reject agreements or never approve', async () => {
    // Twelve providers misbehave for sure and are ranked first, four of each kind: the first four
    // countered reject the counter, the next four reject the agreement, the next four never
    // approve it. Every other provider rejects half of the counter-proposals (seeded).
    const ids = devnet.providers.map((p) => p.id);
    const rejectCounter = ids.slice(0, 4);
    const rejectAgreement = ids.slice(4, 8);
    const neverApprove = ids.slice(8, 12);
    const rank = new Map(
      [...rejectCounter, ...rejectAgreement, ...neverApprove].map((id, i) => [id, 12 - i]),
    );
    const spec = [
      `provider:rejectCounter:providers=${rejectCounter.join(',')}`,
      `provider:rejectAgreement:providers=${rejectAgreement.join(',')}`,
      `provider:neverApprove:providers=${neverApprove.join(',')}`,
      `provider:rejectCounter:p=0.5:providers=${ids.slice(12).join(',')}`,
    ].join(';');
    for (const fault of parseFaultSpec(spec)) devnet.faults.add(fault);
    const faultyFirst = (p: Proposal): number | null => {
      const price = byPrice(p);
      return price === null ? null : (rank.get(p.providerId) ?? 0) + price / 2;
    };

    const allocation = await node.createAllocation({ amount: 100 });
    const events: OperatorEvent[] = [];
    const onEvent = (e: OperatorEvent): void => void events.push(e);
    const agreements = await firstValueFrom(
      node
        .demand$({ payload: {}, allocations: [allocation] })
        .pipe(
          score(faultyFirst, { minProposals: PROVIDERS, maxWait: 10_000 }),
          negotiate(4, { onEvent }),
          createAgreement({ concurrency: 4, approvalTimeout: 500, onEvent }),
          take(3),
          toArray(),
        ),
    );

    expect(agreements).toHaveLength(3);
    expect(agreements.every((a) => a.approved && !rank.has(a.providerId))).toBe(true);
    const counterFailed = events.flatMap((e) => (e.type === 'counterFailed' ? [e] : []));
    const agreementFailed = events.flatMap((e) => (e.type === 'agreementFailed' ? [e] : []));
    expect(counterFailed.every((e) => isProposalRejectedError(e.error))).toBe(true);
    expect(rejectCounter.every((id) => counterFailed.some((e) => e.proposal.providerId === id))).toBe(true);
    const outcomes = new Map(
      agreementFailed.map((e) => [
        e.draft.providerId,
        isAgreementNotApprovedError(e.error) ? e.error.outcome : e.error,
      ]),
    );
    expect(agreementFailed).toHaveLength(8);
    for (const id of rejectAgreement) expect(outcomes.get(id)).toBe('Rejected');
    for (const id of neverApprove) expect(outcomes.get(id)).toBe('Timeout');
    // devnet saw the same: 4 rejected, 4 cancelled after the timeout, every rejected counter
    const byState = agreementStats(devnet);
    expect(byState.Rejected).toBe(4);
    expect(byState.Cancelled).toBe(4);
    expect(proposalStats(devnet).rejectedByProviders).toBeGreaterThanOrEqual(counterFailed.length);

    await release(agreements);
    await vi.waitFor(() => expect(openCounts(devnet)).toMatchObject({ agreements: 0, demands: 0 }), {
      timeout: 10_000,
    });
  });
});
