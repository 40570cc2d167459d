/**
 * Helpers of the rental tests on devnet: a small seeded devnet, a node with short polls that pays
 * (its payer on), devnet's open resources and payment counters, and the offers of the market.
 */
import { type DevnetHandle, startDevnet } from '@golem-rx/devnet';
import type { OpenCounts } from '../e2e/support.js';

/** A seeded devnet with a few quick providers. */
export function rentalDevnet(providers = 4): Promise<DevnetHandle> {
  return startDevnet({ port: 0, providers, seed: 7, thinkTimeMs: [1, 5], approvalDelayMs: [1, 5] });
}

/** A node with short long-polls (its payer on: it pays what its rentals bill), and devnet's open resources. */
export { type OpenCounts, nodeOn, openCounts } from '../e2e/support.js';

interface Stats {
  demands: { active: number };
  agreements: Record<string, number>;
  activities: Record<string, number>;
  allocations: { active: number };
  invoices: { issued: number; accepted: number };
  debitNotes: { issued: number; accepted: number };
}

function stats(devnet: DevnetHandle): Stats {
  return devnet.stats() as unknown as Stats;
}

/** Nothing open on devnet. */
export const NOTHING_OPEN: OpenCounts = { demands: 0, agreements: 0, activities: 0, allocations: 0 };

/** Agreements devnet approved so far (approved, then maybe terminated). */
export function agreementsSigned(devnet: DevnetHandle): number {
  const a = stats(devnet).agreements;
  return (a.Approved ?? 0) + (a.Terminated ?? 0);
}

/** devnet's invoice counters. */
export function invoiceStats(devnet: DevnetHandle): { issued: number; accepted: number } {
  const { issued, accepted } = stats(devnet).invoices;
  return { issued, accepted };
}
