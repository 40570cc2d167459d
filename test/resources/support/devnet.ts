/** Devnet helpers for the resource integration tests (real loopback HTTP). */
import { firstValueFrom } from 'rxjs';
import { type DevnetHandle, startDevnet } from '@golem-rx/devnet';
import type { DevnetOptions } from '@golem-rx/devnet';
import type { Agreement } from '../../../src/resources/Agreement.js';
import type { Allocation } from '../../../src/resources/Allocation.js';
import type { Demand } from '../../../src/resources/Demand.js';
import { GolemNode } from '../../../src/node/GolemNode.js';
import type { GolemNodeOptions } from '../../../src/resources/nodeOptions.js';
import type { PaymentTerms } from '../../../src/resources/payload.js';
import type { Proposal } from '../../../src/resources/Proposal.js';

/** A small, seeded devnet on a free port. */
export function testDevnet(options: DevnetOptions = {}): Promise<DevnetHandle> {
  return startDevnet({
    port: 0,
    providers: 4,
    seed: 11,
    thinkTimeMs: [1, 5],
    approvalDelayMs: [1, 5],
    ...options,
  });
}

/** A node on `devnet` with short long-polls (1 s) so that tests stay fast. */
export function nodeOn(devnet: DevnetHandle, options: GolemNodeOptions = {}): GolemNode {
  return new GolemNode({
    apiUrl: devnet.url,
    appKey: devnet.appKey,
    env: {},
    pollTimeoutSec: 1,
    minPollIntervalMs: 50,
    backoff: { initialMs: 50, maxMs: 200 },
    ...options,
  });
}

/** Open counts of devnet: demands, agreements not final, activities not terminated, allocations. */
export function openCounts(devnet: DevnetHandle): {
  demands: number;
  agreements: number;
  activities: number;
  allocations: number;
} {
  const stats = devnet.stats() as unknown as {
    demands: { active: number };
    agreements: Record<string, number>;
    activities: Record<string, number>;
    allocations: { active: number };
  };
  const a = stats.agreements;
  const act = stats.activities;
  return {
    demands: stats.demands.active,
    agreements: (a.Proposal ?? 0) + (a.Pending ?? 0) + (a.Approved ?? 0),
    activities: (act.total ?? 0) - (act.Terminated ?? 0),
    allocations: stats.allocations.active,
  };
}

/** Everything up to an approved agreement. */
export interface Negotiated {
  allocation: Allocation;
  demand: Demand;
  offer: Proposal;
  draft: Proposal;
  agreement: Agreement;
}

/** Allocates, publishes a demand, counters the first offer and signs an approved agreement. */
export async function approvedAgreement(node: GolemNode, terms?: PaymentTerms): Promise<Negotiated> {
  const allocation = await node.createAllocation({ amount: 10 });
  const demand = await node.createDemand({ payload: {}, allocations: [allocation], terms });
  const offer = await firstValueFrom(demand.proposals$);
  const draft = await offer.respond();
  const agreement = await draft.createAgreement();
  await agreement.confirm();
  await agreement.waitForApproval(10_000);
  return { allocation, demand, offer, draft, agreement };
}
