/** Helpers of the VPN tests: a node on devnet, rentals that join a network, devnet's net stats. */
import { lastValueFrom, take, toArray } from 'rxjs';
import type { DevnetHandle } from '@golem-rx/devnet';
import { createActivity, createAgreement, negotiate, score } from '../../src/operators/index.js';
import type { GolemNode } from '../../src/node/GolemNode.js';
import type { Network } from '../../src/network/Network.js';
import type { Activity } from '../../src/resources/Activity.js';
import { leastExpensiveLinearPayu } from '../../src/strategies/index.js';

export { nodeOn, testDevnet } from '../resources/support/devnet.js';

/** devnet's counters of the net API. */
export function netStats(devnet: DevnetHandle): {
  networks: number;
  nodes: number;
  connections: number;
  services: number;
} {
  return (devnet.stats() as unknown as { net: ReturnType<typeof netStats> }).net;
}

/**
 * Rents `count` providers with the operators, each joining `network` before its exe-unit is
 * deployed (`createActivity({ deploy: (agreement) => network.join(agreement) })`).
 */
export async function rentInNetwork(node: GolemNode, network: Network, count: number): Promise<Activity[]> {
  const allocation = await node.createAllocation({ amount: 5 });
  return lastValueFrom(
    node
      .demand$({ payload: {}, allocations: [allocation] })
      .pipe(
        score(leastExpensiveLinearPayu({ expectedTimeSecs: 60 })),
        negotiate(count),
        createAgreement(),
        createActivity({ deploy: (agreement) => network.join(agreement) }),
        take(count),
        toArray(),
      ),
  );
}
