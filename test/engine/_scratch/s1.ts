import { scenario, tasks, values, fakeProvider, specConfig } from './run.js';
scenario('bound', ({ cold }, ts) => {
  const [A, B, C] = ['A', 'B', 'C'].map((n) => fakeProvider(cold, n));
  return { e1: cold('(abcd|)', values(tasks('a','b','c','d'))), config: specConfig(cold, ts, [A!, B!, C!], { maxWorkers: 2 }) };
});
scenario('one task', ({ cold }, ts) => {
  const [A, B, C] = ['A', 'B', 'C'].map((n) => fakeProvider(cold, n));
  return { e1: cold('a|', values(tasks('a'))), config: specConfig(cold, ts, [A!, B!, C!], { maxWorkers: 3 }) };
});
scenario('later', ({ cold, hot }, ts) => {
  const [A] = ['A'].map((n) => fakeProvider(cold, n));
  return { e1: hot('---a|', values(tasks('a'))), config: specConfig(cold, ts, [A!]) };
});
scenario('idle', ({ cold, hot }, ts) => {
  const [A] = ['A'].map((n) => fakeProvider(cold, n));
  return { e1: hot('a-------b---------------------|', values(tasks('a','b'))), config: specConfig(cold, ts, [A!], { idleTimeout: 10 }) };
});
scenario('held', ({ cold }, ts) => {
  const [A, B] = ['A', 'B'].map((n) => fakeProvider(cold, n));
  return { e1: cold('a|', values(tasks('a'))), config: specConfig(cold, ts, [A!, B!], { maxWorkers: 1 }) };
});
scenario('unsub', ({ cold }, ts) => {
  const [A] = ['A'].map((n) => fakeProvider(cold, n));
  const config = specConfig(cold, ts, [A!], { work: (_a: any, feed: any) => feed.tasks$ });
  return { e1: cold('a|', values(tasks('a'))), config, unsub: '-----!' };
});
console.log((globalThis as any).lastConfig.releases.map((r: any) => r.outcome));
