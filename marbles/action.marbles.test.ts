import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { action } from '../src/resources/Action.js';

let testScheduler: TestScheduler;

beforeEach(() => {
  testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

describe('Action', () => {
  it('performs its call once however often it is awaited', async () => {
    let awaited: Promise<string[]> | undefined;
    testScheduler.run(({ cold, expectSubscriptions }) => {
      // prettier-ignore
      const call =  cold('--a|');
      const callSubs = '  ^--!';
      const act = action(call);
      awaited = Promise.all([act.then((v) => v), act.then((v) => v), act.then((v) => v)]);
      expectSubscriptions(call.subscriptions).toBe([callSubs]);
    });
    expect(await awaited).toEqual(['a', 'a', 'a']);
  });

  it('is cold: every subscription is a new call', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const call =  cold('--a|');
      const sub1 = '      ^--!';
      const sub2 = '      ----^--!';
      const act = action(call);
      expectObservable(act).toBe('--a|');
      testScheduler.schedule(() => act.subscribe(), 4);
      expectSubscriptions(call.subscriptions).toBe([sub1, sub2]);
    });
  });

  it('shares the first outcome, an error included, with every later await', async () => {
    let pending: Promise<PromiseSettledResult<unknown>[]> | undefined;
    testScheduler.run(({ cold, expectSubscriptions }) => {
      // prettier-ignore
      const call =  cold('-#', undefined, new Error('boom'));
      const act = action(call);
      pending = Promise.allSettled([act.then(), act.then()]);
      expectSubscriptions(call.subscriptions).toBe(['^!']);
    });
    const outcomes = await pending!;
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as unknown) : o.value))).toEqual([
      new Error('boom'),
      new Error('boom'),
    ]);
  });
});
