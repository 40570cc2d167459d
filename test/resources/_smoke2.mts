import { firstValueFrom, toArray } from 'rxjs';
import { startDevnet } from '../../src/devnet/index.js';
import { GolemNode } from '../../src/resources/GolemNode.js';

const devnet = await startDevnet({ port: 0, providers: 2, seed: 3 });
try {
  const node = new GolemNode({ apiUrl: devnet.url, appKey: devnet.appKey, api: undefined });
  const allocation = await node.createAllocation({ amount: 5 });
  const demand = await node.createDemand({ payload: {}, allocations: [allocation] });
  const offer = await firstValueFrom(demand.proposals$);
  const draft = await offer.respond();
  const agreement = await draft.createAgreement();
  await agreement.confirm();
  await agreement.waitForApproval();
  const activity = await agreement.createActivity();
  const batch = await activity.exec([{ deploy: {} }, { start: {} }, { run: { entry_point: '/bin/sh', args: ['-c', 'echo a; exit 3'], capture: { stdout: { atEnd: { format: 'string' } } } } }, { run: { entry_point: '/bin/sh', args: ['-c', 'echo b'] } }]);
  batch.results$.subscribe({ next: (r) => console.log('R', r), error: (e) => console.log('ERR', e.name, e.message, e.commandIndex), complete: () => console.log('done') });
  await new Promise((r) => setTimeout(r, 3000));
  console.log('data', batch.data.length, batch.closed);
  const exchange = await node.close();
  console.log(exchange);
} finally {
  await devnet.stop();
}
