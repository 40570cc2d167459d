import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createYagnaApi, type YagnaApi } from 'golem-rx';
import type { InvoiceData } from 'golem-rx';
import type { DevnetHandle } from '@golem-rx/devnet';
import type { Approved } from '../../../test/api/support/rental.js';
import { cliDevnet, envFor, invoicedRental, lines, run } from './support.js';

describe('golem-rx invoice', () => {
  let devnet: DevnetHandle;
  let api: YagnaApi;
  let env: Record<string, string>;
  let first: { rental: Approved; invoice: InvoiceData };

  beforeAll(async () => {
    devnet = await cliDevnet();
    api = createYagnaApi({ url: devnet.url, appKey: devnet.appKey });
    first = await invoicedRental(api);
  });
  afterAll(async () => devnet.stop());
  beforeEach(() => {
    env = envFor(devnet);
  });

  it('list: a table of the invoices; --status filters (case-insensitive); --json gives decimal strings', async () => {
    const listed = await run(['invoice', 'list'], { env });
    expect(listed.code).toBe(0);
    const [header, row] = lines(listed.stdout);
    expect(header).toMatch(/^ID +ISSUER +AGREEMENT +AMOUNT +PLATFORM +STATUS +ISSUED +DUE$/);
    expect(row).toMatch(
      new RegExp(
        `^${first.invoice.invoiceId} +0x[0-9a-f]{40} +${first.rental.agreementId} +[\\d.]+ +erc20-holesky-tglm +RECEIVED `,
      ),
    );
    const received = await run(['invoice', 'list', '--status', 'received', '--json'], { env });
    const json = JSON.parse(received.stdout) as { invoiceId: string; amount: string }[];
    expect(json.map((i) => i.invoiceId)).toEqual([first.invoice.invoiceId]);
    expect(json[0]!.amount).toBe(first.invoice.amount.toFixed());
    expect(await run(['invoice', 'list', '--status', 'SETTLED'], { env })).toMatchObject({
      code: 0,
      stdout: 'no SETTLED invoices\n',
    });
  });

  it('accept: pays the full amount from the allocation; unknown ids are one-line errors', async () => {
    const { allocation } = first.rental;
    const { invoiceId } = first.invoice;
    const unknown = '00000000-0000-4000-8000-000000000000';
    const noAllocation = await run(['invoice', 'accept', unknown, invoiceId], { env });
    expect(noAllocation.code).toBe(1);
    expect(noAllocation.stderr).toBe(`golem-rx: allocation ${unknown} not found\n`);
    const noInvoice = await run(['invoice', 'accept', allocation.allocationId, unknown], { env });
    expect(noInvoice).toMatchObject({ code: 1, stderr: `golem-rx: invoice ${unknown} not found\n` });
    expect((await run(['invoice', 'accept', allocation.allocationId], { env })).code).toBe(2);

    const accepted = await run(['invoice', 'accept', allocation.allocationId, invoiceId], { env });
    expect(accepted).toMatchObject({
      code: 0,
      stderr: '',
      stdout: `accepted invoice ${invoiceId}: ${first.invoice.amount.toFixed()} GLM from allocation ${allocation.allocationId}\n`,
    });
    expect((await api.payment.getInvoice(invoiceId)).status).toMatch(/^(ACCEPTED|SETTLED)$/);
    const again = await run(['invoice', 'accept', allocation.allocationId, invoiceId, '--json'], { env });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      invoiceId,
      status: expect.stringMatching(/^(ACCEPTED|SETTLED)$/),
    });
  });

  it('incoming: streams the invoices that arrive after it starts, until Ctrl-C', async () => {
    const interrupt = new AbortController();
    let rental: Promise<{ invoice: InvoiceData }> | undefined;
    let printed = '';
    let invoiceId: string | undefined;
    const stopWhenShown = (): void => {
      if (invoiceId !== undefined && printed.includes(invoiceId)) interrupt.abort();
    };
    const watching = run(['invoice', 'incoming'], {
      env,
      interrupt: interrupt.signal,
      onStdout: (_text, all) => {
        printed = all;
        // the header is printed once the source listens: now an invoice is "new"
        rental ??= invoicedRental(api).then((r) => {
          invoiceId = r.invoice.invoiceId;
          stopWhenShown();
          return r;
        });
        stopWhenShown();
      },
    });
    const result = await watching;
    const { invoice } = await rental!;
    expect(result.code).toBe(0);
    const [header, ...rows] = lines(result.stdout);
    expect(header).toMatch(/^TIME +EVENT +ID +AMOUNT +STATUS +ISSUER +AGREEMENT$/);
    expect(rows).toHaveLength(1); // not the invoice that arrived before it started
    expect(rows[0]).toMatch(
      new RegExp(
        `^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ +received +${invoice.invoiceId} +[\\d.]+ +RECEIVED +0x`,
      ),
    );
    expect(result.stderr).toBe('1 new invoice(s) received\n');
  });
});
