// The README's code, compiled: if the public API drifts from what the README shows, this fails.
// (The Quick start itself is type-checked and run as written by test/e2e/quickstart.test.ts.)
import { concatMap, firstValueFrom } from 'rxjs';
import { describe, it } from 'vitest';
import { GolemNode, vmPackage } from '../../src/index.js';

describe('README snippets', () => {
  it('the resources tour type-checks', () => {
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
    void tour;
  });
});
