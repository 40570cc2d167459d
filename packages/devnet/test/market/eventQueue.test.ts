import { describe, expect, it } from 'vitest';
import type { MarketEventDto, Properties } from 'golem-rx';
import { MarketEventQueue, marketEventJson } from '../../src/market/eventQueue.js';

const properties: Properties = {
  'golem.inf.cpu.brand': 'Brand “ünïcödé” \\ "quoted"',
  'golem.com.pricing.model.linear.coeffs': [0.1, 0.2, 0],
  'golem.runtime.capabilities': ['inet', 'vpn'],
  'golem.srv.caps.multi-activity': true,
};

function offer(n: number, extra: Partial<{ prevProposalId: string }> = {}): MarketEventDto {
  return {
    eventType: 'ProposalEvent',
    eventDate: '2024-05-28T15:00:01.200000Z',
    proposal: {
      properties,
      constraints: '(&\n  (golem.srv.comp.expiration>1)\n)',
      proposalId: `${n}`.padStart(64, '0'),
      issuerId: '0x' + 'a'.repeat(40),
      state: 'Initial',
      timestamp: '2024-05-28T15:00:00.000Z',
      ...extra,
    },
  };
}

const rejected: MarketEventDto = {
  eventType: 'ProposalRejectedEvent',
  eventDate: '2024-05-28T15:00:02.000000Z',
  proposalId: 'b'.repeat(64),
  reason: { message: 'no', 'golem.proposal.rejection.is-final': false },
};

describe('marketEventJson', () => {
  it('is JSON.stringify of the event, byte for byte (the properties serialised once, shared)', () => {
    for (const event of [offer(1), offer(2, { prevProposalId: 'c'.repeat(64) }), rejected]) {
      expect(marketEventJson(event)).toBe(JSON.stringify(event));
    }
    const bare: MarketEventDto = {
      eventType: 'ProposalEvent',
      eventDate: '2024-05-28T15:00:01Z',
      proposal: { properties: {} } as never,
    };
    expect(marketEventJson(bare)).toBe(JSON.stringify(bare));
  });
});

describe('MarketEventQueue', () => {
  it('answers the JSON array of the first `max` events and removes them, in order', () => {
    const queue = new MarketEventQueue();
    const events = [offer(1), rejected, offer(2), offer(3, { prevProposalId: 'd'.repeat(64) })];
    for (const event of events) queue.push(event);
    expect(queue.length).toBe(4);
    expect(JSON.parse(queue.take(3).toString('utf8'))).toEqual(events.slice(0, 3));
    expect(queue.length).toBe(1);
    expect(queue.take(100).toString('utf8')).toBe(JSON.stringify(events.slice(3)));
    expect(queue.length).toBe(0);
    expect(queue.take(5).toString('utf8')).toBe('[]');
  });

  it('stays first-in first-out across many takes (its front is dropped as it goes)', () => {
    const queue = new MarketEventQueue();
    let pushed = 0;
    let taken = 0;
    for (let round = 0; round < 60; round++) {
      for (let i = 0; i < 70; i++) queue.push(offer(pushed++));
      const batch = JSON.parse(queue.take(50).toString('utf8')) as MarketEventDto[];
      for (const event of batch) {
        expect(event.eventType === 'ProposalEvent' && event.proposal.proposalId).toBe(
          `${taken++}`.padStart(64, '0'),
        );
      }
    }
    expect(queue.length).toBe(pushed - taken);
    queue.clear();
    expect(queue.length).toBe(0);
  });
});
