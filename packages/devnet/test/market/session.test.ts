import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AllocationDto,
  CreateActivityResultDto,
  ExeScriptCommandResultDto,
  InvoiceDto,
  InvoiceEventDto,
  MarketDecorationDto,
  MarketEventDto,
} from 'golem-rx';
import { answers, collectUntil, devnetClient, MARKET, proposalOf, type Client } from './helpers.js';

const PAYMENT = '/payment-api/v1';
const ACTIVITY = '/activity-api/v1';

describe('devnet: a whole requestor session over market, activity and payment', () => {
  let c: Client;
  beforeAll(async () => {
    c = await devnetClient({ providers: 3, seed: 21 });
  });
  afterAll(() => c.devnet.stop());

  it('allocates, negotiates, signs, runs a command, terminates and pays the invoice', async () => {
    const allocation = await c.post<AllocationDto>(`${PAYMENT}/allocations`, {
      totalAmount: '5',
      paymentPlatform: 'erc20-holesky-tglm',
    });
    expect(allocation.status).toBe(201);
    const allocationId = allocation.body.allocationId;
    const decorations = await c.get<MarketDecorationDto>(
      `${PAYMENT}/demandDecorations?allocationIds=${allocationId}`,
    );
    expect(decorations.status).toBe(200);

    const properties: Record<string, unknown> = {
      'golem.srv.comp.expiration': Date.now() + 15 * 60_000,
      'golem.node.debug.subnet': 'public',
      'golem.srv.comp.task_package': 'hash:sha3:abc:http://127.0.0.1/image.gvmi',
    };
    for (const { key, value } of decorations.body.properties) properties[key] = value;
    const constraints = `(&(golem.runtime.name=vm)\n\t${decorations.body.constraints.join('\n\t')})`;
    const demandId = (await c.post<string>(`${MARKET}/demands`, { properties, constraints })).body;
    const offer = proposalOf(
      (await c.get<MarketEventDto[]>(`${MARKET}/demands/${demandId}/events?timeout=1&maxEvents=1`)).body[0],
    );
    const counter = await c.post<string>(`${MARKET}/demands/${demandId}/proposals/${offer.proposalId}`, {
      properties: { ...properties, 'golem.com.payment.chosen-platform': 'erc20-holesky-tglm' },
      constraints,
    });
    const draft = proposalOf(await collectUntil(c, demandId, (e) => answers(e, counter.body)));
    const agreementId = (
      await c.post<string>(`${MARKET}/agreements`, {
        proposalId: draft.proposalId,
        validTo: new Date(Date.now() + 3600_000).toISOString(),
      })
    ).body;
    await c.post(`${MARKET}/agreements/${agreementId}/confirm?appSessionId=e2e`);
    expect((await c.post(`${MARKET}/agreements/${agreementId}/wait?timeout=10`)).status).toBe(204);

    const activity = await c.post<CreateActivityResultDto>(`${ACTIVITY}/activity?timeout=5`, { agreementId });
    expect(activity.status).toBe(200);
    const activityId = activity.body.activityId;
    const script = [
      { deploy: {} },
      { start: {} },
      {
        run: {
          entry_point: '/bin/sh',
          args: ['-c', 'echo hello'],
          capture: { stdout: { atEnd: { format: 'string' } }, stderr: { atEnd: { format: 'string' } } },
        },
      },
    ];
    const batch = await c.post<string>(`${ACTIVITY}/activity/${activityId}/exec`, {
      text: JSON.stringify(script),
    });
    expect(batch.status).toBe(200);
    const results = await c.get<ExeScriptCommandResultDto[]>(
      `${ACTIVITY}/activity/${activityId}/exec/${batch.body}?timeout=10&commandIndex=2`,
    );
    expect(results.status).toBe(200);
    expect(results.body.at(-1)).toMatchObject({
      index: 2,
      result: 'Ok',
      stdout: 'hello\n',
      isBatchFinished: true,
    });
    expect((await c.call('DELETE', `${ACTIVITY}/activity/${activityId}?timeout=10`)).status).toBe(200);

    expect(
      (await c.post(`${MARKET}/agreements/${agreementId}/terminate`, { message: 'Finished' })).status,
    ).toBe(200);
    let invoiceId: string | undefined;
    for (let i = 0; i < 20 && invoiceId === undefined; i++) {
      const events = await c.get<InvoiceEventDto[]>(`${PAYMENT}/invoiceEvents?timeout=1&appSessionId=e2e`);
      invoiceId = events.body.find((e) => e.eventType === 'InvoiceReceivedEvent')?.invoiceId;
    }
    expect(invoiceId).toBeDefined();
    const invoice = (await c.get<InvoiceDto>(`${PAYMENT}/invoices/${invoiceId}`)).body;
    expect(invoice.agreementId).toBe(agreementId);
    const accepted = await c.post(`${PAYMENT}/invoices/${invoiceId}/accept`, {
      totalAmountAccepted: invoice.amount,
      allocationId,
    });
    expect(accepted.status).toBe(200);

    const stats = c.devnet.stats();
    expect(stats.agreements).toMatchObject({ Terminated: 1 });
    expect(stats).toHaveProperty('activities');
    expect(stats).toHaveProperty('invoices');
    expect(stats).toHaveProperty('allocations');
  });
});
