import { firstValueFrom, take, toArray } from 'rxjs';
import { startDevnet } from '../../src/devnet/index.js';
import { GolemNode } from '../../src/resources/GolemNode.js';

const devnet = await startDevnet({ port: 0, providers: 5, seed: 3 });
console.log('devnet', devnet.url);
try {
  const node = new GolemNode({ apiUrl: devnet.url, appKey: devnet.appKey });
  node.events.events$.subscribe((e) => console.log('EV', e.type, (e as any).resource?.kind ?? '', (e as any).resource?.id?.slice(0, 8) ?? '', (e as any).health?.kind ?? ''));
  await node.start();
  const allocation = await node.createAllocation({ amount: 5 });
  console.log('alloc', allocation.id, allocation.data.paymentPlatform);
  const demand = await node.createDemand({ payload: { constraints: ['(golem.runtime.name=vm)'] }, allocations: [allocation] });
  const offers = await firstValueFrom(demand.proposals$.pipe(take(2), toArray()));
  console.log('offers', offers.map((o) => o.providerId));
  const draft = await offers[0]!.respond();
  console.log('draft', draft.id, draft.properties['golem.com.payment.debit-notes.accept-timeout?']);
  const agreement = await draft.createAgreement();
  await agreement.confirm();
  await agreement.waitForApproval();
  console.log('approved', agreement.approved);
  const activity = await agreement.createActivity();
  await activity.deployAndStart();
  const batch = await activity.exec([{ run: { entry_point: '/bin/sh', args: ['-c', 'echo hi'], capture: { stdout: { atEnd: { format: 'string' } } } } }]);
  console.log('results', await firstValueFrom(batch.results$.pipe(toArray())));
  const report = await node.close();
  console.log('report', report.ok, report.failures.map(f => [f.operation, String(f.error)]));
  console.log(JSON.stringify(devnet.stats()).slice(0, 600));
} finally {
  await devnet.stop();
}
