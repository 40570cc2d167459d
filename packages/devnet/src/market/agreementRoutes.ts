/** Routes M9–M17: agreements, their approval long-poll and the agreement event log. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { filter, merge, timer } from 'rxjs';
import type { AgreementListEntryDto, AgreementState } from 'golem-rx';
import { DevnetHttpError } from '../errors/DevnetHttpError.js';
import {
  isJsonObject,
  maxEvents,
  MAX_TIMER_MS,
  queryParam,
  reasonFromBody,
  sendEmpty,
  sendJsonString,
  timeoutMs,
  timestampParam,
} from '../http.js';
import { answerDropped, type LongPolls } from '../longPoll.js';
import { AGREEMENT_STATES, type AgreementBook } from './agreements.js';
import type { MarketCore } from './core.js';
import { MARKET_BASE } from './demandRoutes.js';
import { agreementDto } from './records.js';

interface AgreementParams {
  agreementId: string;
}

/** Registers the agreement routes of the market API. */
export function registerAgreementRoutes(
  app: FastifyInstance,
  core: MarketCore,
  book: AgreementBook,
  polls: LongPolls,
): void {
  const requestorId = core.ctx.requestorId;

  // M9 listAgreements
  app.get(`${MARKET_BASE}/agreements`, async (request) => {
    const appSessionId = queryParam(request, 'appSessionId');
    const state = queryParam(request, 'state');
    if (state !== undefined && state !== '' && !AGREEMENT_STATES.includes(state as AgreementState)) {
      throw new DevnetHttpError(400, `Invalid agreement state: ${state}`);
    }
    const after = timestampParam(request, 'afterDate');
    const before = timestampParam(request, 'beforeDate');
    const out: AgreementListEntryDto[] = [];
    for (const a of book.agreements.values()) {
      book.refresh(a);
      if (appSessionId !== undefined && appSessionId !== '' && a.appSessionId !== appSessionId) continue;
      if (state !== undefined && state !== '' && a.state !== state) continue;
      if (after !== undefined && !(a.created.micros > after)) continue;
      if (before !== undefined && !(a.created.micros < before)) continue;
      out.push({
        id: a.id,
        timestamp: a.created.iso,
        approvedDate: a.approvedDate ?? null,
        role: 'Requestor',
      });
    }
    return out;
  });

  // M10 createAgreement (Real: 200 with the agreement id)
  app.post(`${MARKET_BASE}/agreements`, async (request, reply) => {
    const body = request.body;
    if (!isJsonObject(body)) throw new DevnetHttpError(400, 'Expected an AgreementProposal JSON object');
    const agreement = book.create(body.proposalId, body.validTo);
    return sendJsonString(reply, 200, agreement.id);
  });

  // M11 getAgreement
  app.get<{ Params: AgreementParams }>(`${MARKET_BASE}/agreements/:agreementId`, async (request) =>
    agreementDto(book.get(request.params.agreementId), requestorId),
  );

  // M12 confirmAgreement
  app.post<{ Params: AgreementParams }>(
    `${MARKET_BASE}/agreements/:agreementId/confirm`,
    async (request, reply) => {
      book.confirm(request.params.agreementId, queryParam(request, 'appSessionId'));
      return sendEmpty(reply, 204);
    },
  );

  // M13 waitForApproval: 204 approved, 410 rejected/cancelled/expired, 408 still pending
  app.post<{ Params: AgreementParams }>(
    `${MARKET_BASE}/agreements/:agreementId/wait`,
    async (request, reply) => {
      const timeout = timeoutMs(request, 5);
      const a = book.get(request.params.agreementId);
      const untilValidTo = Math.min(Math.max(0, a.validToMs - core.clock.nowMs()), MAX_TIMER_MS);
      const outcome = await polls.wait(request, reply, {
        timeoutMs: timeout,
        check: () => book.waitAnswer(a),
        wake$: merge(
          book.changes$.pipe(filter((v) => v.agreementId === a.id)),
          timer(untilValidTo, core.ctx.scheduler),
        ),
      });
      if (outcome.kind === 'dropped') return answerDropped(reply);
      if (outcome.kind === 'timeout') {
        throw new DevnetHttpError(408, `Timeout while waiting for Agreement [${a.id}] approval.`);
      }
      const answer = outcome.value;
      if (answer.status === 204) return sendEmpty(reply, 204);
      throw new DevnetHttpError(answer.status, answer.message);
    },
  );

  // M14 cancelAgreement (Real: 200, empty)
  app.post<{ Params: AgreementParams }>(
    `${MARKET_BASE}/agreements/:agreementId/cancel`,
    async (request, reply) => {
      book.cancel(request.params.agreementId, reasonFromBody(request.body));
      return sendEmpty(reply, 200);
    },
  );

  // M15 terminateAgreement (Real: 200, empty)
  app.post<{ Params: AgreementParams }>(
    `${MARKET_BASE}/agreements/:agreementId/terminate`,
    async (request, reply) => {
      book.terminate(request.params.agreementId, reasonFromBody(request.body));
      return sendEmpty(reply, 200);
    },
  );

  // M17 getTerminateAgreementReason (Real: GET; the spec's POST is accepted too)
  const terminationReason = async (
    request: FastifyRequest<{ Params: AgreementParams }>,
    reply: FastifyReply,
  ) => {
    const a = book.get(request.params.agreementId);
    if (a.termination === undefined) throw new DevnetHttpError(404, `Agreement [${a.id}] is not terminated.`);
    return reply.send(a.termination);
  };
  app.get<{ Params: AgreementParams }>(
    `${MARKET_BASE}/agreements/:agreementId/terminate/reason`,
    terminationReason,
  );
  app.post<{ Params: AgreementParams }>(
    `${MARKET_BASE}/agreements/:agreementId/terminate/reason`,
    terminationReason,
  );

  // M16 collectAgreementEvents: long-poll on a persistent log
  app.get(`${MARKET_BASE}/agreementEvents`, async (request, reply) => {
    const timeout = timeoutMs(request, 5);
    const max = maxEvents(request, 20);
    const after = timestampParam(request, 'afterTimestamp');
    const sessionParam = queryParam(request, 'appSessionId');
    const appSessionId = sessionParam === '' ? undefined : sessionParam;
    const outcome = await polls.wait(request, reply, {
      timeoutMs: timeout,
      wake$: book.log.appended$,
      check: () => {
        const events = book.log.query(after, appSessionId, max);
        return events.length > 0 ? events : undefined;
      },
    });
    if (outcome.kind === 'dropped') return answerDropped(reply);
    return reply.send(outcome.kind === 'timeout' ? [] : outcome.value);
  });
}
