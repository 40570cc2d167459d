// The README's code, compiled: if the public API drifts from what the README shows, this fails.
import { concatMap, firstValueFrom, take } from 'rxjs';
import { describe, it } from 'vitest';
import {
  GolemNode,
  createActivity,
  createAgreement,
  leastExpensiveLinearPayu,
  negotiate,
  score,
  vmPackage,
} from '../../src/index.js';

describe('README snippets', () => {
  it('quick start and the resources tour type-check', () => {
    async function quickStart(): Promise<void> {
      await using node = await new GolemNode().start();
      const allocation = await node.createAllocation({ amount: 2 });
      const payload = await vmPackage({ imageTag: 'golem/alpine:latest' });
      node
        .demand$({ payload, allocations: [allocation] })
        .pipe(
          score(leastExpensiveLinearPayu({ expectedTimeSecs: 60 })),
          negotiate(4),
          createAgreement(),
          createActivity(),
          take(2),
        )
        .subscribe({ next: (activity) => console.log('ready:', activity.id), error: console.error });
    }

    async function tour(apiUrl: string, appKey: string): Promise<void> {
      await using node = await new GolemNode({ apiUrl, appKey }).start();
      const payload = await vmPackage({ imageTag: 'golem/alpine:latest' });
      const allocation = await node.createAllocation({ amount: '5', network: 'holesky' });
      console.log(allocation.data.remainingAmount.toFixed());
      const demand = await node.createDemand({ payload, allocations: [allocation] });
      const offer = await firstValueFrom(demand.proposals$);
      const draft = await offer.respond();
      const agreement = await draft.createAgreement();
      await agreement.confirm();
      await agreement.waitForApproval();
      const activity = await agreement.createActivity();
      await activity.deployAndStart();
      activity.debitNotes$
        .pipe(concatMap((note) => note.accept(allocation)))
        .subscribe({ error: console.error });
      const batch = await activity.exec([
        { run: { entry_point: '/bin/sh', args: ['-c', 'echo hi'], capture: { stdout: { atEnd: {} } } } },
      ]);
      batch.results$.subscribe({ next: (r) => console.log(r.stdout), error: console.error });
      await agreement.terminate('Finished');
      const invoice = await firstValueFrom(agreement.invoice$);
      await invoice.accept(allocation);
    }
    void quickStart;
    void tour;
  });
});
