/**
 * End to end through `startDevnet`, with raw fetch only, as any requestor SDK would do it:
 * allocation → decorations → subscribe → counter → agreement → activity → `echo hello` →
 * debit note → terminate → invoice → accept → release.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { startDevnet } from '../../src/index.js';
import type { DevnetHandle } from '../../src/index.js';
import type {
  DebitNoteDto,
  DebitNoteEventDto,
  ExeScriptCommandResultDto,
  InvoiceDto,
  InvoiceEventDto,
  MarketDecorationDto,
} from 'golem-rx';

describe('devnet: a full rental over raw HTTP', () => {
  let devnet: DevnetHandle;
  beforeEach(async () => {
    devnet = await startDevnet({ providers: 3, seed: 11, payment: { settleDelayMs: 50 } });
  });
  afterEach(async () => devnet.stop());

  async function call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${devnet.url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${devnet.appKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  }
  async function ok<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await call(method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as T;
  }

  it('rents a machine, runs echo hello, is billed, pays and releases', async () => {
    const appSessionId = 'rental-session';
    // money
    const allocation = await ok<{ allocationId: string }>('POST', '/payment-api/v1/allocations', {
      totalAmount: '10',
      paymentPlatform: 'erc20-holesky-tglm',
    });
    const decoration = await ok<MarketDecorationDto>(
      'GET',
      `/payment-api/v1/demandDecorations?allocationIds=${allocation.allocationId}`,
    );

    // market
    const properties: Record<string, unknown> = {
      'golem.srv.comp.expiration': Date.now() + 20 * 60_000,
      'golem.node.debug.subnet': 'public',
      'golem.srv.comp.task_package': 'hash:sha3:abc:http://127.0.0.1/app.gvmi',
      'golem.com.scheme.payu.debit-note.interval-sec?': 1,
      'golem.com.scheme.payu.payment-timeout-sec?': 120,
      'golem.com.payment.debit-notes.accept-timeout?': 60,
    };
    for (const p of decoration.properties) properties[p.key] = p.value;
    const demand = {
      properties,
      constraints: `(&(golem.runtime.name=vm)\n\t${decoration.constraints.join('\n\t')})`,
    };
    const subscriptionId = await ok<string>('POST', '/market-api/v1/demands', demand);
    let draftId: string | undefined;
    let counterId: string | undefined;
    for (let i = 0; i < 20 && draftId === undefined; i++) {
      const events = await ok<
        { eventType: string; proposal?: { proposalId: string; state: string; prevProposalId?: string } }[]
      >('GET', `/market-api/v1/demands/${subscriptionId}/events?timeout=3&maxEvents=10`);
      for (const e of events) {
        if (e.eventType !== 'ProposalEvent' || e.proposal === undefined) continue;
        if (e.proposal.state === 'Initial' && counterId === undefined) {
          counterId = await ok<string>(
            'POST',
            `/market-api/v1/demands/${subscriptionId}/proposals/${e.proposal.proposalId}`,
            {
              properties: { ...properties, 'golem.com.payment.chosen-platform': 'erc20-holesky-tglm' },
              constraints: demand.constraints,
            },
          );
        } else if (e.proposal.state === 'Draft' && e.proposal.prevProposalId === counterId) {
          draftId = e.proposal.proposalId;
        }
      }
    }
    expect(draftId).toBeDefined();
    const agreementId = await ok<string>('POST', '/market-api/v1/agreements', {
      proposalId: draftId,
      validTo: new Date(Date.now() + 3_600_000).toISOString(),
    });
    await ok('POST', `/market-api/v1/agreements/${agreementId}/confirm?appSessionId=${appSessionId}`);
    expect((await call('POST', `/market-api/v1/agreements/${agreementId}/wait?timeout=10`)).status).toBe(204);

    // activity
    const { activityId } = await ok<{ activityId: string }>('POST', '/activity-api/v1/activity?timeout=5', {
      agreementId,
    });
    const text = JSON.stringify([
      { deploy: {} },
      { start: {} },
      {
        run: {
          entry_point: '/bin/sh',
          args: ['-c', 'echo hello'],
          capture: { stdout: { atEnd: { format: 'string' } }, stderr: { atEnd: { format: 'string' } } },
        },
      },
    ]);
    const batchId = await ok<string>('POST', `/activity-api/v1/activity/${activityId}/exec`, { text });
    const results = await ok<ExeScriptCommandResultDto[]>(
      'GET',
      `/activity-api/v1/activity/${activityId}/exec/${batchId}?timeout=10&commandIndex=2`,
    );
    expect(results.map((r) => r.result)).toEqual(['Ok', 'Ok', 'Ok']);
    expect(results[2]).toMatchObject({ stdout: 'hello\n', isBatchFinished: true });

    // a debit note arrives while the activity runs; accept it
    const dnEvents = await ok<DebitNoteEventDto[]>(
      'GET',
      `/payment-api/v1/debitNoteEvents?timeout=10&appSessionId=${appSessionId}`,
    );
    expect(dnEvents[0]?.eventType).toBe('DebitNoteReceivedEvent');
    const note = await ok<DebitNoteDto>('GET', `/payment-api/v1/debitNotes/${dnEvents[0]!.debitNoteId}`);
    expect(note).toMatchObject({
      agreementId,
      activityId,
      recipientId: devnet.requestorId,
      status: 'RECEIVED',
    });
    expect(new Decimal(note.totalAmountDue).gt(0)).toBe(true);
    expect(
      await ok('POST', `/payment-api/v1/debitNotes/${note.debitNoteId}/accept?timeout=15`, {
        totalAmountAccepted: note.totalAmountDue,
        allocationId: allocation.allocationId,
      }),
    ).toBeNull();

    // done: destroy, terminate, get the invoice, pay it, release the money
    expect(await ok('DELETE', `/activity-api/v1/activity/${activityId}?timeout=10`)).toBeNull();
    await ok('POST', `/market-api/v1/agreements/${agreementId}/terminate`, { message: 'Finished' });
    const invEvents = await ok<InvoiceEventDto[]>(
      'GET',
      `/payment-api/v1/invoiceEvents?timeout=10&appSessionId=${appSessionId}`,
    );
    expect(invEvents.map((e) => e.eventType)).toEqual(['InvoiceReceivedEvent']);
    const invoice = await ok<InvoiceDto>('GET', `/payment-api/v1/invoices/${invEvents[0]!.invoiceId}`);
    expect(invoice).toMatchObject({ agreementId, activityIds: [activityId], status: 'RECEIVED' });
    expect(new Decimal(invoice.amount).gte(note.totalAmountDue)).toBe(true);
    expect(
      await ok('POST', `/payment-api/v1/invoices/${invoice.invoiceId}/accept?timeout=15`, {
        totalAmountAccepted: invoice.amount,
        allocationId: allocation.allocationId,
      }),
    ).toBeNull();
    const spent = await ok<{ spentAmount: string }>(
      'GET',
      `/payment-api/v1/allocations/${allocation.allocationId}`,
    );
    expect(new Decimal(spent.spentAmount).eq(invoice.amount)).toBe(true);
    expect(await ok('DELETE', `/payment-api/v1/allocations/${allocation.allocationId}`)).toBeNull();
    expect((await call('DELETE', `/payment-api/v1/allocations/${allocation.allocationId}`)).status).toBe(410);
    await ok('DELETE', `/market-api/v1/demands/${subscriptionId}`);

    const stats = devnet.stats() as Record<string, unknown>;
    expect(stats.activities).toMatchObject({ total: 1, Terminated: 1 });
    expect(stats.invoices).toMatchObject({ issued: 1, accepted: 1 });
    expect(stats.allocations).toMatchObject({ active: 0, released: 1 });
  });
});
