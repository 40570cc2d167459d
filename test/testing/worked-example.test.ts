// The worked example of docs/testing.md, as a real test: a user-written strategy, marble-tested
// against the in-memory yagna with golem-rx/testing. Keep the two in sync.
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { OfferProposal, OperatorEvent } from '../../src/operators/index.js';
import {
  blockProviders,
  keepIf,
  leastExpensiveLinearPayu,
  notApprovedProviders,
  penalizeUnconfirmed,
  pipeScorers,
} from '../../src/strategies/index.js';
import { testStrategy } from '../../src/testing/index.js';

// --- the strategy under test (your code) -----------------------------------------------------

/** Keeps providers with at least `n` threads. */
const atLeastThreads =
  (n: number) =>
  (proposal: OfferProposal): boolean =>
    Number(proposal.properties['golem.inf.cpu.threads']) >= n;

/** The cheapest provider for a 10-minute job, with 4 threads or more, never "flaky". */
const myStrategy = pipeScorers(
  leastExpensiveLinearPayu({ expectedTimeSecs: 600 }),
  keepIf(atLeastThreads(4), blockProviders(['flaky'])),
);

// --- its marble tests ---------------------------------------------------------------------------

/** Any runner's deep equality will do; this is vitest's. */
const assertDeepEqual = (actual: unknown, expected: unknown) => expect(actual).toEqual(expected);

describe('myStrategy', () => {
  it('signs with the cheapest eligible providers, and moves on when one does not approve', () => {
    const { stats } = testStrategy(
      ({ proposals, expectAgreements }) => {
        // prettier-ignore
        const offers = proposals('-a-b-c-d-e|', {
          a: { price: { cpuSec: '0.0003' }, threads: 8 },
          b: { price: { cpuSec: '0.00005' }, threads: 2 }, // too few threads: dropped
          c: { price: { cpuSec: '0.0001' }, threads: 4, behaviour: { approval: 'reject' } },
          d: { price: { cpuSec: '0.0002' }, threads: 4 },
          e: { price: { cpuSec: '0.00001' }, threads: 64, name: 'flaky' }, // blocked
        });
        // held until 3 are kept (d, frame 7), then best first, one at a time:
        // c: counter 7 → draft 9 → create, confirm → rejected at 12
        // d: counter 12 → draft 14 → approved at 17;  a: counter 17 → approved at 22
        const expected = '17ms d 4ms (a|)';
        expectAgreements(offers, myStrategy, { minProposals: 3, negotiate: 1 }).toBe(expected);
      },
      { assertDeepEqual },
    );
    // what it spent: three counter-proposals, three agreements signed, one of them not approved
    expect(stats).toMatchObject({
      countersSent: 3,
      agreementsConfirmed: 3,
      agreementsApproved: 2,
      agreementsNotApproved: 1,
    });
  });

  it('with penalizeUnconfirmed, prefers others to a provider that did not approve', () => {
    testStrategy(
      ({ proposals, expectAgreements }) => {
        const events = new Subject<OperatorEvent>();
        const notApproved$ = notApprovedProviders(events);
        // prettier-ignore
        const offers = proposals('-cd----(ce)-|', {
          c: { price: { cpuSec: '0.0001' }, behaviour: { approval: (n) => (n === 1 ? 'reject' : 'approve') } },
          d: { price: { cpuSec: '0.0002' } },
          e: { price: { cpuSec: '0.00015' } },
        });
        // c is countered first and rejects the agreement (frame 6); d is signed at 11. c comes
        // back at 7, cheaper than e, but at half its score: e goes first (16), c after (21).
        // (By default negotiate never counters a provider again once it gave a draft; the
        // penalty is for pipelines that let providers come back: distinctProviders: false.)
        const expected = '11ms d 4ms e 4ms (c|)';
        expectAgreements(
          offers,
          { operator: penalizeUnconfirmed(myStrategy, 0.5, { notApproved$ }) },
          { onEvent: (e) => events.next(e), distinctProviders: false },
        ).toBe(expected);
      },
      { assertDeepEqual },
    );
  });
});
