/**
 * Routes of `/payment-api/v1` for debit notes, invoices, their event long-polls and payments.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { queryParam, timeoutMs, timestampParam } from '../http.js';
import { answerDropped } from '../longPoll.js';
import type { LongPolls } from '../longPoll.js';
import { intParam, route, sendError, sendJson } from '../activity/common/http.js';
import type { DebitNoteBook } from './debitNotes.js';
import { requestedKinds } from './eventLog.js';
import type { EventQuery } from './eventLog.js';
import type { InvoiceBook } from './invoices.js';
import type { PaymentLedger } from './ledger.js';

const BASE = '/payment-api/v1';
/** Real default `timeout` of the payment long-polls, in seconds. */
const DEFAULT_POLL_SEC = 5;

/** What the document routes need. */
export interface DocumentRoutesDeps {
  readonly polls: LongPolls;
  readonly debitNotes: DebitNoteBook;
  readonly invoices: InvoiceBook;
  readonly ledger: PaymentLedger;
}

type WithParams<P> = FastifyRequest<{ Params: P }>;

function appSessionOf(request: FastifyRequest): string | undefined {
  const id = queryParam(request, 'appSessionId');
  return id === '' ? undefined : id;
}

function eventQuery(request: FastifyRequest): EventQuery {
  return {
    afterMicros: timestampParam(request, 'afterTimestamp'),
    maxEvents: intParam(queryParam(request, 'maxEvents'), 'maxEvents'),
    appSessionId: appSessionOf(request),
    kinds: requestedKinds(request.headers['x-requestor-events']),
  };
}

/** Answers at once when `read()` has items, else when it gets some, else `[]` at the timeout. */
async function pollList<T>(
  polls: LongPolls,
  request: FastifyRequest,
  reply: FastifyReply,
  wake$: Observable<unknown>,
  read: () => T[],
): Promise<void> {
  const outcome = await polls.wait(request, reply, {
    timeoutMs: timeoutMs(request, DEFAULT_POLL_SEC),
    wake$,
    check: () => {
      const items = read();
      return items.length > 0 ? items : undefined;
    },
  });
  if (outcome.kind === 'value') sendJson(reply, 200, outcome.value);
  else if (outcome.kind === 'timeout') sendJson(reply, 200, []);
  else answerDropped(reply);
}

/** Registers debit-note, invoice, event and payment routes. */
export function registerDocumentRoutes(app: FastifyInstance, deps: DocumentRoutesDeps): void {
  const { polls, debitNotes, invoices, ledger } = deps;
  const listed = (request: FastifyRequest): [number | undefined, number | undefined] => [
    timestampParam(request, 'afterTimestamp'),
    intParam(queryParam(request, 'maxItems'), 'maxItems'),
  ];
  // Real yagna answers rejecting a debit note or an invoice with 501 and a null message;
  // devnet gives the same answer.
  const rejectAsYagnaDoes = route((_request, reply) => {
    sendError(reply, 501, null);
  });

  app.get(
    `${BASE}/debitNotes`,
    route((request: FastifyRequest, reply) => {
      sendJson(reply, 200, debitNotes.list(...listed(request)));
    }),
  );
  app.get(
    `${BASE}/debitNotes/:debitNoteId`,
    route((request: WithParams<{ debitNoteId: string }>, reply) => {
      sendJson(reply, 200, debitNotes.get(request.params.debitNoteId));
    }),
  );
  app.post(
    `${BASE}/debitNotes/:debitNoteId/accept`,
    route((request: WithParams<{ debitNoteId: string }>, reply) => {
      debitNotes.accept(request.params.debitNoteId, request.body);
      sendJson(reply, 200, null);
    }),
  );
  app.post(`${BASE}/debitNotes/:debitNoteId/reject`, rejectAsYagnaDoes);
  app.get(
    `${BASE}/debitNoteEvents`,
    route(async (request: FastifyRequest, reply) => {
      const query = eventQuery(request);
      await pollList(polls, request, reply, debitNotes.events.appended$, () =>
        debitNotes.events.query(query),
      );
    }),
  );

  app.get(
    `${BASE}/invoices`,
    route((request: FastifyRequest, reply) => {
      sendJson(reply, 200, invoices.list(...listed(request)));
    }),
  );
  app.get(
    `${BASE}/invoices/:invoiceId`,
    route((request: WithParams<{ invoiceId: string }>, reply) => {
      sendJson(reply, 200, invoices.get(request.params.invoiceId));
    }),
  );
  app.post(
    `${BASE}/invoices/:invoiceId/accept`,
    route((request: WithParams<{ invoiceId: string }>, reply) => {
      invoices.accept(request.params.invoiceId, request.body);
      sendJson(reply, 200, null);
    }),
  );
  app.post(`${BASE}/invoices/:invoiceId/reject`, rejectAsYagnaDoes);
  app.get(
    `${BASE}/invoiceEvents`,
    route(async (request: FastifyRequest, reply) => {
      const query = eventQuery(request);
      await pollList(polls, request, reply, invoices.events.appended$, () => invoices.events.query(query));
    }),
  );

  app.get(
    `${BASE}/payments`,
    route(async (request: FastifyRequest, reply) => {
      const filter = {
        afterMicros: timestampParam(request, 'afterTimestamp'),
        maxEvents: intParam(queryParam(request, 'maxEvents'), 'maxEvents'),
        appSessionId: appSessionOf(request),
        network: queryParam(request, 'network'),
        driver: queryParam(request, 'driver'),
      };
      await pollList(polls, request, reply, ledger.paid$, () => ledger.query(filter));
    }),
  );
  app.get(
    `${BASE}/payments/status`,
    route((_request, reply) => {
      sendJson(reply, 200, []);
    }),
  );
  app.get(
    `${BASE}/payments/:paymentId`,
    route((request: WithParams<{ paymentId: string }>, reply) => {
      const payment = ledger.get(request.params.paymentId);
      if (payment === undefined) sendError(reply, 404, null);
      else sendJson(reply, 200, payment);
    }),
  );
}
