/** Routes M1–M7: demand subscriptions, collectOffers, proposals (get, counter, reject). */
import type { FastifyInstance } from 'fastify';
import type { DemandDto } from 'golem-rx';
import { DevnetHttpError } from '../errors/DevnetHttpError.js';
import { maxEvents, sendEmpty, sendJsonString, timeoutMs } from '../http.js';
import { answerDropped, type LongPolls } from '../longPoll.js';
import { isSubscriptionId } from '../random.js';
import type { MarketCore } from './core.js';
import { counterProposal, rejectProposal, type AgreementCount } from './negotiation.js';
import type { DemandRecord } from './records.js';

/** The market API's base path. */
export const MARKET_BASE = '/market-api/v1';

interface SubscriptionParams {
  subscriptionId: string;
}
interface ProposalParams extends SubscriptionParams {
  proposalId: string;
}

/** Registers the demand-side routes of the market API. */
export function registerDemandRoutes(
  app: FastifyInstance,
  core: MarketCore,
  polls: LongPolls,
  activeAgreements: AgreementCount,
): void {
  const demandDto = (d: DemandRecord): DemandDto => ({
    properties: d.properties,
    constraints: d.constraints,
    demandId: d.id,
    requestorId: core.ctx.requestorId,
    timestamp: d.timestamp,
  });

  // M1 subscribeDemand
  app.post(`${MARKET_BASE}/demands`, async (request, reply) => {
    const demand = core.subscribe(core.parseBody(request.body));
    return sendJsonString(reply, 201, demand.id);
  });

  // M2 getDemands
  app.get(`${MARKET_BASE}/demands`, async () => core.activeDemands().map(demandDto));

  // M3 unsubscribeDemand
  app.delete<{ Params: SubscriptionParams }>(
    `${MARKET_BASE}/demands/:subscriptionId`,
    async (request, reply) => {
      const id = request.params.subscriptionId;
      if (!isSubscriptionId(id)) throw new DevnetHttpError(400, `Invalid subscription id [${id}]`);
      core.unsubscribe(id);
      return sendEmpty(reply, 204);
    },
  );

  // M4 collectOffers: long-poll on a consuming queue
  app.get<{ Params: SubscriptionParams }>(
    `${MARKET_BASE}/demands/:subscriptionId/events`,
    async (request, reply) => {
      const timeout = timeoutMs(request, 5);
      const max = maxEvents(request, 20);
      const id = request.params.subscriptionId;
      const demand = core.liveDemand(id);
      const outcome = await polls.wait(request, reply, {
        timeoutMs: timeout,
        wake$: demand.wake,
        check: () => {
          if (core.demands.get(id) !== demand) return 'gone' as const;
          return demand.queue.length > 0 ? demand.queue.take(max) : undefined;
        },
      });
      if (outcome.kind === 'dropped') return answerDropped(reply);
      if (outcome.kind === 'timeout') return reply.send([]);
      if (outcome.value === 'gone') throw new DevnetHttpError(404, `Subscription [${id}] not found.`);
      return reply.type('application/json; charset=utf-8').send(outcome.value);
    },
  );

  // M5 getProposalOffer
  app.get<{ Params: ProposalParams }>(
    `${MARKET_BASE}/demands/:subscriptionId/proposals/:proposalId`,
    async (request) => core.dto(core.proposalOf(request.params.subscriptionId, request.params.proposalId)),
  );

  // M6 counterProposalDemand (Real: 200 with the new proposal id)
  app.post<{ Params: ProposalParams }>(
    `${MARKET_BASE}/demands/:subscriptionId/proposals/:proposalId`,
    async (request, reply) => {
      const { subscriptionId, proposalId } = request.params;
      if (!isSubscriptionId(subscriptionId)) {
        throw new DevnetHttpError(400, `Invalid subscription id [${subscriptionId}]`);
      }
      const body = core.parseBody(request.body);
      const counter = counterProposal(core, activeAgreements, subscriptionId, proposalId, body);
      return sendJsonString(reply, 200, counter.id);
    },
  );

  // M7 rejectProposalOffer
  app.post<{ Params: ProposalParams }>(
    `${MARKET_BASE}/demands/:subscriptionId/proposals/:proposalId/reject`,
    async (request, reply) => {
      rejectProposal(core, request.params.subscriptionId, request.params.proposalId);
      return sendEmpty(reply, 204);
    },
  );
}
