import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  httpStatusOf,
  isTerminalPollError,
  isTransientPollError,
  KeyWindow,
  marketEventKey,
  persistentEventKey,
} from '../../src/sources/index.js';

const withStatus = (status: number) => Object.assign(new Error(`HTTP ${status}`), { status });

describe('poll error classifiers', () => {
  it('finds the HTTP status on the error, its response, or its cause chain', () => {
    expect(httpStatusOf(withStatus(503))).toBe(503);
    expect(httpStatusOf({ response: { status: 408 } })).toBe(408);
    expect(httpStatusOf(new Error('wrapped', { cause: { statusCode: 404 } }))).toBe(404);
    expect(httpStatusOf(new Error('plain'))).toBeUndefined();
  });

  it('retries network failures, 408, 429 and 5xx; not 4xx nor programming errors', () => {
    expect(isTransientPollError(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }))).toBe(
      true,
    );
    expect(isTransientPollError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransientPollError(Object.assign(new Error('t'), { name: 'TimeoutError' }))).toBe(true);
    for (const status of [408, 429, 500, 502, 503, 504])
      expect(isTransientPollError(withStatus(status))).toBe(true);
    for (const status of [400, 401, 403, 404, 409, 410])
      expect(isTransientPollError(withStatus(status))).toBe(false);
    expect(isTransientPollError(new TypeError('x is not a function'))).toBe(false);
  });

  it('ends the stream on 404 and 410 only', () => {
    expect(isTerminalPollError(withStatus(404))).toBe(true);
    expect(isTerminalPollError(withStatus(410))).toBe(true);
    expect(isTerminalPollError(withStatus(400))).toBe(false);
    expect(isTerminalPollError(new Error('no status'))).toBe(false);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially, is capped, and is jittered by the injected random', () => {
    const config = { initialMs: 100, factor: 3, maxMs: 1000, jitter: 0.5 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, config, () => 0))).toEqual([100, 300, 900, 1000, 1000]);
    expect(backoffDelay(2, config, () => 0.999999)).toBe(150);
    expect(backoffDelay(1, {}, () => 0)).toBe(500);
  });
});

describe('KeyWindow', () => {
  it('remembers at most capacity keys, forgetting the oldest', () => {
    const window = new KeyWindow(2);
    expect(window.add('a')).toBe(true);
    expect(window.add('a')).toBe(false);
    window.add('b');
    window.add('c');
    expect(window.size).toBe(2);
    expect(window.has('a')).toBe(false);
    expect(window.has('c')).toBe(true);
    expect(new KeyWindow(0).capacity).toBe(1);
  });
});

describe('event keys', () => {
  it('keys market events by proposal id, so a draft differs from its offer', () => {
    const offer = { eventType: 'ProposalEvent', eventDate: 'x', proposal: { proposalId: 'p1' } };
    const draft = {
      eventType: 'ProposalEvent',
      eventDate: 'y',
      proposal: { proposalId: 'p2', prevProposalId: 'c1' },
    };
    expect(marketEventKey(offer)).toBe('ProposalEvent:p1');
    expect(marketEventKey(draft)).toBe('ProposalEvent:p2');
    expect(marketEventKey({ eventType: 'ProposalRejectedEvent', proposalId: 'p1' })).toBe(
      'ProposalRejectedEvent:p1',
    );
    expect(marketEventKey({ b: 1, a: 2 })).toBe(marketEventKey({ a: 2, b: 1 }));
  });

  it('keys persistent-log events by id, type and normalised date', () => {
    const a = { eventType: 'DebitNoteReceivedEvent', eventDate: '2024-01-01T00:00:00.1Z', debitNoteId: 'd1' };
    expect(persistentEventKey(a)).toBe('d1:DebitNoteReceivedEvent:2024-01-01T00:00:00.100000000Z');
    expect(persistentEventKey({ ...a, eventDate: '2024-01-01T00:00:00.100Z' })).toBe(persistentEventKey(a));
    expect(persistentEventKey({ ...a, eventType: 'DebitNoteAcceptedEvent' })).not.toBe(persistentEventKey(a));
  });
});
