import { TestScheduler } from 'rxjs/testing';
import { runTaskEngine } from '../../../src/engine/core/runTaskEngine.js';
import { Task } from '../../../src/engine/Task.js';
import { fakeProvider, record, specConfig } from '../support/engineFakes.js';
export const tasks = (...data: string[]) => data.map((d) => new Task<string, string>(d, { id: d }));
export const values = (list: Task<string, string>[]) => Object.fromEntries(list.map((t) => [t.data, t]));
export function scenario(name: string, body: (h: any, ts: TestScheduler) => { e1: any; config: any; unsub?: string }) {
  const ts = new TestScheduler(() => {});
  const log: string[] = [];
  ts.run((h) => {
    const { e1, config, unsub } = body(h, ts);
    const sub = record(runTaskEngine(e1, config), ts, log).subscribe({ complete: () => log.push(`${ts.now()}: COMPLETE`), error: (e) => log.push(`${ts.now()}: ERROR ${e}`) });
    if (unsub) ts.schedule(() => sub.unsubscribe(), unsub.indexOf('!'));
    (globalThis as any).lastConfig = config;
  });
  console.log(`--- ${name}\n${log.join('\n')}`);
}
export { fakeProvider, specConfig };
