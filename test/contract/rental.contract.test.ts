/**
 * The contract test: a full rental against devnet through the client — subscribe → counter →
 * agreement → activity → `run echo hello` → terminate → invoice accepted → allocation released —
 * with every request and response recorded (`onExchange`) and validated against the OpenAPI
 * schemas vendored in specs/yagna. Where devnet produces the Real behaviour and Real contradicts
 * the spec (REQUESTOR-GUIDE §8), the exemption is listed below with its reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createYagnaApi, type YagnaApi, type YagnaExchange } from '../../src/api/index.js';
import type { RuntimeEventDto } from '../../src/api/types/index.js';
import { startDevnet, type DevnetHandle } from '@golem-rx/devnet';
import { approvedAgreement, ECHO_HELLO, pollUntil } from '../api/support/rental.js';
import { checkExchange, dropNulls, type Exemption } from './support/checkExchange.js';
import { loadSpecs } from './support/openapi.js';

const M = '/market-api/v1';
const A = '/activity-api/v1';
const P = '/payment-api/v1';

/** Where Real yagna (and so devnet) departs from the spec. Each entry says why. */
const EXEMPTIONS: Record<string, Exemption> = {
  'GET /version/get': {
    why: '§1.3: Real sends `"pending": null` when no update is pending; the spec types `pending` as a non-nullable object',
    adaptResponse: dropNulls,
  },
  [`POST ${M}/demands/{subscriptionId}/proposals/{proposalId}`]: {
    why: '§8: counterProposalDemand answers 200 (Real) where the spec says 201; same JSON-string body',
    status: { real: 200, spec: 201 },
  },
  [`POST ${M}/agreements`]: {
    why: '§8: createAgreement answers 200 (Real) where the spec says 201; same JSON-string body',
    status: { real: 200, spec: 201 },
  },
  [`POST ${M}/agreements/{agreementId}/terminate`]: {
    why: '§8: terminateAgreement answers 200 with an empty body (Real) where the spec says 204',
    status: { real: 200, spec: 204 },
  },
  [`POST ${M}/agreements/{agreementId}/cancel`]: {
    why: '§8: cancelAgreement answers 200 with an empty body (Real) where the spec says 204',
    status: { real: 200, spec: 204 },
  },
  [`GET ${M}/agreements/{agreementId}/terminate/reason`]: {
    why:
      '§8: the Real route is GET (the spec has POST) and its body is the AgreementTerminatedEvent without ' +
      '`eventType`; checked against AgreementTerminatedEvent with `eventType` added',
    schema: { file: 'market-api.yaml', name: 'AgreementTerminatedEvent' },
    adaptResponse: (body) => ({ eventType: 'AgreementTerminatedEvent', ...(body as object) }),
  },
  [`GET ${P}/debitNotes/{debitNoteId}`]: {
    why: '§5.3: Real sends usageCounterVector as an array of numbers where the spec says object',
    adaptResponse: (body) => dropUsageVector(body),
  },
  [`GET ${P}/debitNotes`]: {
    why: '§5.3: as for one debit note, for each in the list',
    adaptResponse: (body) => (Array.isArray(body) ? body.map(dropUsageVector) : body),
  },
  [`POST ${A}/activity`]: {
    why: '§8: createActivity answers 200 (Real) where the spec says 201; same CreateActivityResult body',
    status: { real: 200, spec: 201 },
  },
  [`GET ${A}/activity/{activityId}/exec/{batchId}`]: {
    why:
      '§4.4: Real serialises every ExeScriptCommandResult field, absent stdout/stderr/message as null, ' +
      'where the spec types them as string; nulls are dropped before validation',
    adaptResponse: dropNulls,
  },
};

/**
 * §5.3: Real debit notes carry `usageCounterVector` as a JSON array of numbers (the counters in the
 * order of `golem.com.usage.vector`); the spec types it `object`. A numeric array is removed before
 * validation; anything else is left in place, so it still fails.
 */
function dropUsageVector(note: unknown): unknown {
  const n = note as { usageCounterVector?: unknown };
  const v = n.usageCounterVector;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number')) return note;
  const { usageCounterVector: _dropped, ...rest } = n;
  return rest;
}

/** The spec's camelCase shape of a Real (snake_case) RuntimeEvent, nulls dropped (§4.6, §8). */
function toSpecRuntimeEvent(e: RuntimeEventDto): unknown {
  const kind = e.kind as Record<string, unknown>;
  const finished = kind.finished as { return_code: number; message: string | null } | undefined;
  return dropNulls({
    batchId: e.batch_id,
    index: e.index,
    timestamp: e.timestamp,
    kind: finished ? { finished: { returnCode: finished.return_code, message: finished.message } } : kind,
  });
}

const specs = loadSpecs();
let devnet: DevnetHandle;
let api: YagnaApi;
const exchanges: YagnaExchange[] = [];
const streamed: RuntimeEventDto[] = [];
const commands: unknown[] = [];
let stateAfterCreate: unknown;

beforeAll(async () => {
  devnet = await startDevnet({ port: 0, providers: 4, seed: 5, payment: { settleDelayMs: 10 } });
  api = createYagnaApi(
    { url: devnet.url, appKey: devnet.appKey, retry: false, onExchange: (e) => exchanges.push(e) },
    {},
  );

  await api.identity.getIdentity();
  await api.version.getVersion();
  // allocation, decorations, subscribe, collect, counter, agreement, confirm, wait; debit notes every
  // second with mid-agreement payments, so a debit note and a payment are part of the rental
  const rental = await approvedAgreement(api, {
    demand: {
      'golem.com.scheme.payu.debit-note.interval-sec?': 1,
      'golem.com.scheme.payu.payment-timeout-sec?': 1,
    },
  });
  await api.market.getAgreement(rental.agreementId);
  await api.market.collectAgreementEvents({
    afterTimestamp: rental.since,
    appSessionId: rental.appSessionId,
    timeout: 1,
  });

  const { activityId } = await api.activity.createActivity(rental.agreementId, { timeout: 10 });
  // REQUESTOR-GUIDE §4.2: the provider spawned the exe-unit before create answered
  stateAfterCreate = await api.activity.getActivityState(activityId);
  const batchId = await api.activity.exec(activityId, ECHO_HELLO);
  for await (const event of api.activity.streamBatchResults(activityId, batchId)) {
    streamed.push(event);
    if (event.index === ECHO_HELLO.length - 1 && 'finished' in event.kind) break;
  }
  const results = await api.activity.getExecBatchResults(activityId, batchId, {
    timeout: 10,
    commandIndex: 2,
  });
  expect(results.at(-1)).toMatchObject({ index: 2, result: 'Ok', stdout: 'hello\n', isBatchFinished: true });
  await api.activity.getActivityState(activityId);
  await api.activity.getActivityUsage(activityId);
  const debitNoteId = await pollUntil(
    () =>
      api.payment.getDebitNoteEvents({
        afterTimestamp: rental.since,
        appSessionId: rental.appSessionId,
        timeout: 2,
      }),
    (batch) => batch.find((e) => e.eventType === 'DebitNoteReceivedEvent')?.debitNoteId,
  );
  const debitNote = await api.payment.getDebitNote(debitNoteId);
  await api.payment.acceptDebitNote(
    debitNoteId,
    { totalAmountAccepted: debitNote.totalAmountDue, allocationId: rental.allocation.allocationId },
    { timeout: 10 },
  );
  await pollUntil(
    () =>
      api.payment.getPayments({
        afterTimestamp: rental.since,
        appSessionId: rental.appSessionId,
        timeout: 2,
      }),
    (batch) => (batch.length > 0 ? batch : undefined),
  );
  await api.activity.destroyActivity(activityId, { timeout: 10 });

  await api.market.terminateAgreement(rental.agreementId, { message: 'Finished' });
  await api.market.getTerminateAgreementReason(rental.agreementId);
  const invoiceId = await pollUntil(
    () =>
      api.payment.getInvoiceEvents({
        afterTimestamp: rental.since,
        appSessionId: rental.appSessionId,
        timeout: 1,
      }),
    (batch) => batch.find((e) => e.eventType === 'InvoiceReceivedEvent')?.invoiceId,
  );
  await api.payment.getDebitNoteEvents({
    afterTimestamp: rental.since,
    appSessionId: rental.appSessionId,
    timeout: 0,
  });
  const invoice = await api.payment.getInvoice(invoiceId);
  await api.payment.acceptInvoice(
    invoiceId,
    { totalAmountAccepted: invoice.amount, allocationId: rental.allocation.allocationId },
    { timeout: 10 },
  );
  await api.payment.getAllocation(rental.allocation.allocationId);
  await api.payment.releaseAllocation(rental.allocation.allocationId);
  await api.market.unsubscribeDemand(rental.subscriptionId);

  const execRequest = exchanges.find((e) => e.pathTemplate.endsWith('/exec') && e.method === 'POST');
  commands.push(...(JSON.parse((execRequest?.requestBody as { text: string }).text) as unknown[]));
});
afterAll(() => devnet?.stop());

describe('a full rental conforms to the yagna OpenAPI specs', () => {
  it('recorded every step of the rental', () => {
    const seen = new Set(exchanges.map((e) => `${e.method} ${e.pathTemplate}`));
    for (const step of [
      `POST /payment-api/v1/allocations`,
      `GET /payment-api/v1/demandDecorations`,
      `POST ${M}/demands`,
      `GET ${M}/demands/{subscriptionId}/events`,
      `POST ${M}/demands/{subscriptionId}/proposals/{proposalId}`,
      `POST ${M}/agreements`,
      `POST ${M}/agreements/{agreementId}/confirm`,
      `POST ${M}/agreements/{agreementId}/wait`,
      `POST ${A}/activity`,
      `POST ${A}/activity/{activityId}/exec`,
      `GET ${A}/activity/{activityId}/exec/{batchId}`,
      `GET /payment-api/v1/debitNoteEvents`,
      `POST /payment-api/v1/debitNotes/{debitNoteId}/accept`,
      `GET /payment-api/v1/payments`,
      `DELETE ${A}/activity/{activityId}`,
      `POST ${M}/agreements/{agreementId}/terminate`,
      `GET /payment-api/v1/invoiceEvents`,
      `POST /payment-api/v1/invoices/{invoiceId}/accept`,
      `DELETE /payment-api/v1/allocations/{allocationId}`,
    ]) {
      expect(seen, step).toContain(step);
    }
    expect(exchanges.every((e) => e.status !== undefined && e.status < 300)).toBe(true);
  });

  it('an activity is Initialized as soon as createActivity returns (§4.2, as the real daemon)', () => {
    expect(stateAfterCreate).toEqual({ state: ['Initialized', null] });
    const createdAt = exchanges.findIndex((e) => e.method === 'POST' && e.pathTemplate === `${A}/activity`);
    const next = exchanges[createdAt + 1];
    expect(next).toMatchObject({
      method: 'GET',
      pathTemplate: `${A}/activity/{activityId}/state`,
      status: 200,
    });
    expect(next?.responseBody).toEqual({ state: ['Initialized', null] });
  });

  it('every request and response validates (with the documented exemptions)', () => {
    const problems = exchanges.flatMap((e) => checkExchange(specs, e, EXEMPTIONS));
    expect(problems).toEqual([]);
  });

  it('the ExeScript commands sent validate against their command schemas', () => {
    expect(commands).toHaveLength(ECHO_HELLO.length);
    for (const command of commands) {
      const name = Object.keys(command as object)[0]!;
      const schema = `${name[0]!.toUpperCase()}${name.slice(1)}Command`;
      const validate = specs.schema('activity-api.yaml', schema);
      expect(validate(command), `${schema}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('the streamed RuntimeEvents validate once renamed to the spec camelCase (§4.6, §8)', () => {
    expect(streamed.length).toBeGreaterThanOrEqual(ECHO_HELLO.length * 2);
    const runtimeEvent = specs.schema('activity-api.yaml', 'RuntimeEvent');
    for (const event of streamed) {
      const spec = toSpecRuntimeEvent(event);
      expect(runtimeEvent(spec), JSON.stringify(runtimeEvent.errors)).toBe(true);
      const kind = Object.keys(event.kind)[0]!;
      const sub = { started: 'RuntimeEventKindStarted', finished: 'RuntimeEventKindFinished' }[kind];
      if (sub === undefined) continue;
      const validate = specs.schema('activity-api.yaml', sub);
      expect(validate((spec as { kind: unknown }).kind), `${sub}: ${JSON.stringify(validate.errors)}`).toBe(
        true,
      );
    }
  });

  it('the checker itself rejects a non-conforming exchange (so this test can fail)', () => {
    const bad: YagnaExchange = {
      method: 'GET',
      api: 'market',
      pathTemplate: `${M}/demands/{subscriptionId}/events`,
      params: { subscriptionId: 's' },
      query: { timeout: '1', bogus: 'x' },
      requestBody: undefined,
      status: 200,
      contentType: 'application/json',
      responseBody: [{ eventType: 'ProposalEvent', eventDate: 'yesterday', proposal: { state: 'Weird' } }],
      attempt: 1,
    };
    const problems = checkExchange(specs, bad, EXEMPTIONS);
    expect(problems.join('\n')).toMatch(/bogus/);
    expect(problems.join('\n')).toMatch(/date-time/);
    expect(problems.join('\n')).toMatch(/ProposalEvent/);
    expect(checkExchange(specs, { ...bad, query: {}, status: 202, responseBody: [] }, EXEMPTIONS)).toEqual([
      `GET ${M}/demands/{subscriptionId}/events: status 202 is not declared (200, 401, 404, default)`,
    ]);
  });
});
