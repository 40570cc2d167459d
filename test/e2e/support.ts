/** Helpers of the end-to-end tests: a node on devnet, devnet's open counts, a price scorer. */
import type { DevnetHandle } from '@golem-rx/devnet';
import type { OfferProposal } from '../../src/operators/index.js';
import { type GolemNodeOptions } from '../../src/resources/index.js';
import { GolemNode } from '../../src/node/index.js';

/** A node on `devnet` with short long-polls, so that the tests stay fast. */
export function nodeOn(devnet: DevnetHandle, options: GolemNodeOptions = {}): GolemNode {
  return new GolemNode({
    apiUrl: devnet.url,
    appKey: devnet.appKey,
    env: {},
    pollTimeoutSec: 1,
    minPollIntervalMs: 20,
    backoff: { initialMs: 50, maxMs: 200 },
    ...options,
  });
}

/** What devnet still holds open: active demands, live agreements and activities, allocations. */
export interface OpenCounts {
  demands: number;
  agreements: number;
  activities: number;
  allocations: number;
}

interface StatsShape {
  demands: { active: number };
  proposals: { countered: number; drafts: number; rejectedByProviders: number };
  agreements: Record<string, number>;
  activities: Record<string, number>;
  allocations: { active: number };
}

function stats(devnet: DevnetHandle): StatsShape {
  return devnet.stats() as unknown as StatsShape;
}

/** devnet's open resources, read from its stats. */
export function openCounts(devnet: DevnetHandle): OpenCounts {
  const s = stats(devnet);
  const a = s.agreements;
  return {
    demands: s.demands.active,
    agreements: (a.Proposal ?? 0) + (a.Pending ?? 0) + (a.Approved ?? 0),
    activities: (s.activities.total ?? 0) - (s.activities.Terminated ?? 0),
    allocations: s.allocations.active,
  };
}

/** devnet's proposal counters. */
export function proposalStats(devnet: DevnetHandle): StatsShape['proposals'] {
  return { ...stats(devnet).proposals };
}

/** devnet's agreement counters by state. */
export function agreementStats(devnet: DevnetHandle): Record<string, number> {
  return { ...stats(devnet).agreements };
}

/**
 * Counter-proposals devnet holds unanswered: countered by the requestor, not yet answered by the
 * provider with a draft or a rejection.
 */
export function counteredUnanswered(devnet: DevnetHandle): number {
  const p = stats(devnet).proposals;
  return p.countered - p.drafts - p.rejectedByProviders;
}

/** Cheaper is better: `1 / (1 + Σ linear coefficients)`; an offer without linear pricing is dropped. */
export function byPrice(proposal: OfferProposal): number | null {
  const coeffs = proposal.properties['golem.com.pricing.model.linear.coeffs'];
  if (!Array.isArray(coeffs) || !coeffs.every((c) => typeof c === 'number')) return null;
  return 1 / (1 + coeffs.reduce((a, b) => a + b, 0));
}
