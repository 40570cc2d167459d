import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toWireAmount } from '../../src/api/amounts.js';
import { createYagnaApi } from '../../src/api/index.js';
import { isYagnaArgumentError } from '../../src/api/errors/YagnaArgumentError.js';
import { isYagnaProtocolError } from '../../src/api/errors/YagnaProtocolError.js';
import { send, startTinyServer, type TinyServer } from './support/tinyServer.js';

const allocation = {
  allocationId: 'al-1',
  address: '0xabc',
  paymentPlatform: 'erc20-holesky-tglm',
  totalAmount: '5.0',
  spentAmount: '0.0095519383499',
  remainingAmount: '4.9904480616501',
  timestamp: '2024-05-28T15:00:00Z',
  makeDeposit: false,
};

let server: TinyServer;
let answer: unknown = allocation;

beforeAll(async () => {
  server = await startTinyServer((_req, res) => send(res, 200, answer));
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

const api = () => createYagnaApi({ url: server.url }, {});

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('amounts', () => {
  it('writes Decimal, string and number inputs as plain decimal strings', () => {
    expect(toWireAmount(new Decimal('1e-7'), 'a')).toBe('0.0000001');
    expect(toWireAmount(0.1, 'a')).toBe('0.1');
    expect(toWireAmount('13.14000', 'a')).toBe('13.14');
    expect(toWireAmount(' 5 ', 'a')).toBe('5');
    expect(toWireAmount('2.5e3', 'a')).toBe('2500');
    expect(toWireAmount(0, 'a')).toBe('0');
  });

  it.each([
    -1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    'abc',
    '0x10',
    '',
    '-0.5',
    new Decimal(-2),
    new Decimal(Infinity),
  ])('rejects %s', (value) => {
    let caught: unknown;
    try {
      toWireAmount(value, 'totalAmount');
    } catch (err) {
      caught = err;
    }
    expect(isYagnaArgumentError(caught) && caught.argument).toBe('totalAmount');
  });
});

describe('payment calls', () => {
  it('createAllocation sends a decimal string and returns Decimal amounts', async () => {
    answer = allocation;
    const result = await api().payment.createAllocation({
      totalAmount: 0.1,
      paymentPlatform: 'erc20-holesky-tglm',
      timeout: new Date('2024-05-28T17:00:00Z'),
    });
    expect(JSON.parse(server.requests[0]!.body)).toEqual({
      totalAmount: '0.1',
      paymentPlatform: 'erc20-holesky-tglm',
      timeout: '2024-05-28T17:00:00.000Z',
    });
    expect(result.totalAmount).toBeInstanceOf(Decimal);
    expect(result.totalAmount.equals(5)).toBe(true);
    expect(result.spentAmount.plus(result.remainingAmount).equals(result.totalAmount)).toBe(true);
    expect(result.allocationId).toBe('al-1');
  });

  it('rejects an invalid amount before any request', async () => {
    expect(isYagnaArgumentError(await failure(api().payment.createAllocation({ totalAmount: -5 })))).toBe(
      true,
    );
    expect(
      isYagnaArgumentError(
        await failure(api().payment.acceptInvoice('i', { totalAmountAccepted: 'NaN', allocationId: 'a' })),
      ),
    ).toBe(true);
    expect(server.requests).toHaveLength(0);
  });

  it('accept sends the amount as a string and the ack timeout as a query parameter', async () => {
    answer = null;
    await api().payment.acceptDebitNote(
      'dn-1',
      { totalAmountAccepted: new Decimal('0.0123'), allocationId: 'al-1' },
      { timeout: 15 },
    );
    const seen = server.requests[0]!;
    expect([seen.method, seen.path, seen.query.get('timeout')]).toEqual([
      'POST',
      '/payment-api/v1/debitNotes/dn-1/accept',
      '15',
    ]);
    expect(JSON.parse(seen.body)).toEqual({ totalAmountAccepted: '0.0123', allocationId: 'al-1' });
  });

  it('converts amounts inside payment events and asks for more kinds with X-Requestor-Events', async () => {
    answer = [
      { invoiceId: 'i1', eventDate: '2024-01-01T00:00:00Z', eventType: 'InvoiceReceivedEvent' },
      {
        invoiceId: 'i1',
        eventDate: '2024-01-01T00:00:01Z',
        eventType: 'InvoiceRejectedEvent',
        rejection: { rejectionReason: 'BAD_SERVICE', totalAmountAccepted: '13.14000' },
      },
    ];
    const events = await api().payment.getInvoiceEvents({
      requestorEvents: ['RECEIVED', 'REJECTED'],
      maxEvents: 10,
    });
    expect(server.requests[0]!.headers['x-requestor-events']).toBe('RECEIVED,REJECTED');
    expect(server.requests[0]!.query.get('maxEvents')).toBe('10');
    const rejected = events[1]!;
    expect(
      rejected.eventType === 'InvoiceRejectedEvent' && rejected.rejection.totalAmountAccepted.equals('13.14'),
    ).toBe(true);
  });

  it('sends allocation ids of demand decorations as one comma-separated parameter', async () => {
    answer = { properties: [], constraints: [] };
    await api().payment.getDemandDecorations(['a', 'b']);
    expect(server.requests[0]!.query.getAll('allocationIds')).toEqual(['a,b']);
  });

  it('raises YagnaProtocolError for an amount that is not a decimal', async () => {
    answer = { ...allocation, totalAmount: 'lots' };
    expect(isYagnaProtocolError(await failure(api().payment.getAllocation('al-1')))).toBe(true);
    answer = [{ ...allocation, remainingAmount: null }];
    expect(isYagnaProtocolError(await failure(api().payment.getAllocations()))).toBe(true);
  });
});
