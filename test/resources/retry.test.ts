/**
 * Calls that must succeed (terminate, invoice and debit-note accept) retry transient failures with
 * backoff on the node's scheduler, in virtual time, and know what a retry can meet: a 410 on
 * terminate, a 400/409 on accept after an earlier attempt went through.
 */
import { Decimal } from 'decimal.js';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import type { DebitNoteData, DocumentStatus, InvoiceData } from '../../src/api/index.js';
import { ResourceChangePossible } from '../../src/bus/events.js';
import { YagnaBadRequestError } from '../../src/api/errors/YagnaBadRequestError.js';
import { YagnaConflictError } from '../../src/api/errors/YagnaConflictError.js';
import { YagnaGoneError } from '../../src/api/errors/YagnaGoneError.js';
import { YagnaNetworkError } from '../../src/api/errors/YagnaNetworkError.js';
import { YagnaNotImplementedError } from '../../src/api/errors/YagnaNotImplementedError.js';
import { YagnaServerError } from '../../src/api/errors/YagnaServerError.js';
import { YagnaTimeoutError } from '../../src/api/errors/YagnaTimeoutError.js';
import { GolemNode } from '../../src/node/GolemNode.js';
import type { NodeApi } from '../../src/resources/NodeApi.js';
import { sequence, stubApi } from './support/stubApi.js';

let testScheduler: TestScheduler;

beforeEach(() => {
  testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

const e500 = new YagnaServerError('boom', { status: 500 });
const e503 = new YagnaServerError('busy', { status: 503 });
const e504 = new YagnaTimeoutError('Timeout accepting Invoice on remote Node.', { status: 504 });
const e400 = new YagnaBadRequestError('Invalid amount accepted', { status: 400 });
const e409 = new YagnaConflictError('already accepted', { status: 409 });
const e410 = new YagnaGoneError('Terminated', { status: 410 });
const e501 = new YagnaNotImplementedError('not implemented', { status: 501 });
const offline = new YagnaNetworkError('network failure: fetch failed (ECONNRESET)', { code: 'ECONNRESET' });

/** Backoff without jitter: 10, 20, 40 frames; 3 retries. */
function nodeWith(api: NodeApi): GolemNode {
  return new GolemNode({
    api,
    scheduler: testScheduler,
    minPollIntervalMs: 0,
    random: () => 0,
    backoff: { initialMs: 10, factor: 2, jitter: 0 },
    closeRetries: 3,
  });
}

function invoiceData(status: DocumentStatus, amount = '0.0123'): InvoiceData {
  return {
    invoiceId: 'i1',
    issuerId: '0xp',
    recipientId: '0xme',
    payeeAddr: '0xp',
    payerAddr: '0xme',
    paymentPlatform: 'erc20-holesky-tglm',
    timestamp: '2024-05-28T16:00:00Z',
    agreementId: 'a1',
    activityIds: [],
    amount: new Decimal(amount),
    paymentDueDate: '2024-05-29T16:00:00Z',
    status,
  };
}

function debitNoteData(status: DocumentStatus): DebitNoteData {
  return {
    debitNoteId: 'dn1',
    issuerId: '0xp',
    recipientId: '0xme',
    payeeAddr: '0xp',
    payerAddr: '0xme',
    paymentPlatform: 'erc20-holesky-tglm',
    timestamp: '2024-05-28T16:00:00Z',
    agreementId: 'a1',
    activityId: 'act1',
    totalAmountDue: new Decimal('0.004'),
    status,
  };
}

describe('agreement.terminate() under transient failures', () => {
  it('retries a 500 after the backoff and completes; the agreement is closed', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions, flush }) => {
      // prettier-ignore
      const first = cold('--#', undefined, e500);
      const second = cold('            -|'); // after 10 frames of backoff
      const expected = '   -------------|';
      const terminate = sequence([first, second]);
      const node = nodeWith(stubApi({ market: { terminateAgreement: terminate } }));
      const agreement = node.agreement('a1');
      expectObservable(agreement.terminate()).toBe(expected);
      expectSubscriptions(first.subscriptions).toBe('^-!');
      expectSubscriptions(second.subscriptions).toBe('------------^!');
      flush();
      expect(terminate.calls).toHaveLength(2);
      expect(agreement.closed).toBe(true);
    });
  });

  it('counts a 410 met by the retry as done: the failed attempt had reached yagna', () => {
    testScheduler.run(({ cold, expectObservable, flush }) => {
      // prettier-ignore
      const first = cold('--#', undefined, offline);
      const second = cold('            -#', undefined, e410);
      const expected = '   -------------|';
      const node = nodeWith(stubApi({ market: { terminateAgreement: sequence([first, second]) } }));
      const agreement = node.agreement('a1');
      expectObservable(agreement.terminate()).toBe(expected);
      flush();
      expect(agreement.closed).toBe(true);
    });
  });

  it('gives up after closeRetries with the last error, backing off 10, 20, 40; the agreement stays open', () => {
    testScheduler.run(({ cold, expectObservable, flush }) => {
      const fail = (): ReturnType<typeof cold> => cold('-#', undefined, e503);
      const terminate = sequence([fail(), fail(), fail(), fail()]);
      const node = nodeWith(stubApi({ market: { terminateAgreement: terminate } }));
      const agreement = node.agreement('a1');
      // attempts at 0, 11, 32, 73; each fails 1 frame later
      expectObservable(agreement.terminate()).toBe('- 73ms #', undefined, e503);
      flush();
      expect(terminate.calls).toHaveLength(4);
      expect(agreement.closed).toBe(false);
    });
  });

  it('does not retry a verdict (400) nor a 501', () => {
    testScheduler.run(({ cold, expectObservable, flush }) => {
      const terminate = sequence([cold('-#', undefined, e400), cold('-#', undefined, e501)]);
      const node = nodeWith(stubApi({ market: { terminateAgreement: terminate } }));
      expectObservable(node.agreement('a1').terminate()).toBe('-#', undefined, e400);
      expectObservable(node.agreement('a2').terminate()).toBe('-#', undefined, e501);
      flush();
      expect(terminate.calls).toHaveLength(2);
    });
  });

  it('stops retrying when unsubscribed during the backoff', () => {
    testScheduler.run(({ cold, expectObservable, flush }) => {
      const terminate = sequence([cold('--#', undefined, e500)]);
      const node = nodeWith(stubApi({ market: { terminateAgreement: terminate } }));
      expectObservable(node.agreement('a1').terminate(), '^----!').toBe('------');
      flush();
      expect(terminate.calls).toHaveLength(1);
    });
  });
});

describe('invoice.accept() and debitNote.accept() under transient failures', () => {
  it('retries a 503 on an invoice accept and completes, emitting ResourceChangePossible', () => {
    testScheduler.run(({ cold, expectObservable, flush }) => {
      // prettier-ignore
      const first = cold('--#', undefined, e503);
      const second = cold('            -(n|)', { n: undefined });
      const expected = '   -------------|';
      const accept = sequence([first, second]);
      const node = nodeWith(stubApi({ payment: { acceptInvoice: accept } }));
      const changed: string[] = [];
      node.events.events$.subscribe((e) => {
        if (e instanceof ResourceChangePossible) changed.push(e.resource.kind);
      });
      const allocation = node.allocation('al1');
      expectObservable(node.invoice('i1').accept(allocation, '0.0123')).toBe(expected);
      flush();
      expect(accept.calls).toHaveLength(2);
      expect(accept.calls.map(([id, acceptance]) => [id, acceptance])).toEqual([
        ['i1', { totalAmountAccepted: '0.0123', allocationId: 'al1' }],
        ['i1', { totalAmountAccepted: '0.0123', allocationId: 'al1' }],
      ]);
      expect(changed).toEqual(['Invoice', 'Allocation']);
    });
  });

  it.each([
    ['400', e400],
    ['409', e409],
  ])(
    'a %s met by the retry is success when the invoice reads ACCEPTED for that amount',
    (_status, verdict) => {
      testScheduler.run(({ cold, expectObservable, flush }) => {
        // prettier-ignore
        const first = cold('--#', undefined, e504);
        const second = cold('            -#', undefined, verdict);
        const reread = cold('             -(i|)', { i: invoiceData('ACCEPTED') });
        const expected = '   --------------|';
        const getInvoice = sequence([cold('(i|)', { i: invoiceData('RECEIVED') }), reread]);
        const node = nodeWith(stubApi({ payment: { acceptInvoice: sequence([first, second]), getInvoice } }));
        const invoice = node.invoice('i1');
        expectObservable(invoice.accept(node.allocation('al1'))).toBe(expected);
        flush();
        expect(getInvoice.calls).toHaveLength(2); // the amount due, then the re-read
        expect(invoice.data.status).toBe('ACCEPTED');
      });
    },
  );

  it('keeps the error when the re-read shows the invoice not accepted, or accepted for another amount', () => {
    testScheduler.run(({ cold, expectObservable, flush }) => {
      const answers = (): ReturnType<typeof sequence> =>
        sequence([cold('--#', undefined, e500), cold('-#', undefined, e400)]);
      const node = nodeWith(
        stubApi({
          payment: {
            acceptInvoice: answers(),
            acceptDebitNote: answers(),
            getInvoice: sequence([cold('-(i|)', { i: invoiceData('RECEIVED') })]),
            getDebitNote: sequence([
              cold('-(d|)', { d: { ...debitNoteData('ACCEPTED'), totalAmountDue: new Decimal('0.005') } }),
            ]),
          },
        }),
      );
      expectObservable(node.invoice('i1').accept(node.allocation('al1'), '0.0123')).toBe(
        '--------------#',
        undefined,
        e400,
      );
      expectObservable(node.debitNote('dn1').accept(node.allocation('al1'), '0.004')).toBe(
        '--------------#',
        undefined,
        e400,
      );
      flush();
    });
  });

  it('does not re-read nor retry when the first attempt answers 400: that is the verdict', () => {
    testScheduler.run(({ cold, expectObservable, flush }) => {
      const accept = sequence([cold('-#', undefined, e400)]);
      const node = nodeWith(stubApi({ payment: { acceptInvoice: accept } }));
      expectObservable(node.invoice('i1').accept(node.allocation('al1'), '0.0123')).toBe(
        '-#',
        undefined,
        e400,
      );
      flush();
      expect(accept.calls).toHaveLength(1);
    });
  });

  it('retries a debit note accept after an ack timeout (504), then a network failure', () => {
    testScheduler.run(({ cold, expectObservable, flush }) => {
      const accept = sequence([
        cold('-#', undefined, e504),
        cold('-#', undefined, offline),
        cold('-(n|)', { n: undefined }),
      ]);
      const node = nodeWith(
        stubApi({
          payment: {
            acceptDebitNote: accept,
            getDebitNote: () => cold('(d|)', { d: debitNoteData('RECEIVED') }),
          },
        }),
      );
      // attempts at 0, 11, 32
      expectObservable(node.debitNote('dn1').accept(node.allocation('al1'))).toBe('- 32ms |');
      flush();
      expect(accept.calls.map(([, acceptance]) => acceptance)).toEqual(
        Array(3).fill({ totalAmountAccepted: new Decimal('0.004'), allocationId: 'al1' }),
      );
    });
  });
});
