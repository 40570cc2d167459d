import { map, take } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { OperatorEvent } from '../../src/operators/events.js';
import { dummyStrategy, leastExpensiveLinearPayu } from '../../src/strategies/index.js';
import { throwingAssertDeepEqual } from '../../src/testing/assertDeepEqual.js';
import type { InMemoryOfferProposal } from '../../src/testing/inMemoryResources.js';
import { testStrategy } from '../../src/testing/testStrategy.js';

const vitestAssert = (actual: unknown, expected: unknown) => expect(actual).toEqual(expected);

describe('testStrategy', () => {
  it('runs a scorer through score → negotiate → createAgreement and returns what was spent', () => {
    const { result, stats, yagna } = testStrategy(
      ({ proposals, expectAgreements }) => {
        const offers = proposals('-a-b-c|', {
          a: { price: { cpuSec: '0.0003' } },
          b: { price: { cpuSec: '0.0001' } },
          c: { price: { cpuSec: '0.0002' } },
        });
        // all three held until c (frame 5): b, then c, then a, one at a time (respond 2, sign 3)
        expectAgreements(offers, leastExpensiveLinearPayu(), { minProposals: 3 }).toBe(
          '----------b----c----(a|)',
        );
        return 'body result';
      },
      { assertDeepEqual: vitestAssert },
    );
    expect(result).toBe('body result');
    expect(stats).toMatchObject({ countersSent: 3, agreementsConfirmed: 3, agreementsApproved: 3 });
    expect(yagna.providers.map((p) => p.id)).toEqual(['provider-a', 'provider-b', 'provider-c']);
  });

  it('takes an operator as the strategy, and config for negotiate and createAgreement', () => {
    const events: OperatorEvent[] = [];
    const { stats } = testStrategy(
      ({ proposals, expectAgreements }) => {
        const offers = proposals('-ab|', { a: { behaviour: { approval: 'never' } }, b: {} });
        const everyoneScoresOne = {
          operator: map((proposal: InMemoryOfferProposal) => ({ proposal, score: 1 })),
        };
        // a never decides: its agreement times out at 5 + 5 and is cancelled
        expectAgreements(offers, everyoneScoresOne, {
          negotiate: 2,
          approvalTimeout: 5,
          onEvent: (e) => events.push(e),
        }).toBe('-------b--|');
      },
      { assertDeepEqual: vitestAssert },
    );
    expect(stats).toMatchObject({ countersSent: 2, agreementsCancelled: 1 });
    expect(events.map((e) => e.type)).toEqual(['agreementFailed']);
  });

  it('applies the default behaviour to every provider', () => {
    const { stats } = testStrategy(
      ({ proposals, expectAgreements }) => {
        const offers = proposals('-a|', { a: {} });
        expectAgreements(offers, dummyStrategy()).toBe('---|');
      },
      { behaviour: { counter: 'reject' } },
    );
    expect(stats).toMatchObject({ countersSent: 1, countersRejected: 1 });
  });

  it('exposes the raw agreements for custom assertions', () => {
    testStrategy(({ proposals, agreements, expectObservable }) => {
      const offers = proposals('-(ab)|', { a: {}, b: {} });
      const first = agreements(offers, dummyStrategy(), { negotiate: 2 }).pipe(
        take(1),
        map((a) => a.id),
      );
      expectObservable(first).toBe('------(x|)', { x: 'agreement-1' });
    });
  });

  it('throws an Error with a diff when the marble does not match (no test runner needed)', () => {
    const run = () =>
      testStrategy(({ proposals, expectAgreements }) => {
        const offers = proposals('-a|', { a: {} });
        expectAgreements(offers, dummyStrategy()).toBe('----a|');
      });
    expect(run).toThrow(Error);
    expect(run).toThrow(/- .*frame: 4.*\n\+ .*frame: 6/);
  });
});

describe('throwingAssertDeepEqual', () => {
  it('passes deep-equal values and lists differing lines', () => {
    expect(() => throwingAssertDeepEqual([{ a: 1 }], [{ a: 1 }])).not.toThrow();
    let message = '';
    try {
      throwingAssertDeepEqual([1, 2, 3], [1, 5]);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n').slice(1)).toEqual(['  1', '- 5', '+ 2', '+ 3']);
  });
});
