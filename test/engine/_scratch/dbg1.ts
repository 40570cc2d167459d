import { TestScheduler } from 'rxjs/testing';
import { runTaskEngine } from '../../../src/engine/core/runTaskEngine.js';
import { Task } from '../../../src/engine/Task.js';
import { fakeProvider, record, specConfig } from '../../../test/engine/support/engineFakes.js';
const ts = new TestScheduler(() => {});
const tasks = (...data: string[]) => data.map((d) => new Task<string, string>(d, { id: d }));
const values = (list: Task<string, string>[]) => Object.fromEntries(list.map((t) => [t.data, t]));
const log: string[] = [];
ts.run(({ cold }) => {
  const [A, B, C] = ['A', 'B', 'C'].map((n) => fakeProvider(cold, n));
  const config = specConfig(cold, ts, [A!, B!, C!], { maxWorkers: 2 });
  const e1 = cold('(abcd|)', values(tasks('a','b','c','d')));
  record(runTaskEngine(e1, config), ts, log).subscribe({ complete: () => log.push(`${ts.now()}: COMPLETE`) });
});
console.log(log.join('\n'));
