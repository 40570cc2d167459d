/**
 * Routes of `/payment-api/v1` for accounts, allocations and demand decorations.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AllocationDto } from 'golem-rx';
import { DevnetHttpError } from '../errors/DevnetHttpError.js';
import { queryList, queryParam, timestampParam } from '../http.js';
import { intParam, route, sendJson } from '../activity/common/http.js';
import { requestorAccounts } from './accounts.js';
import type { AllocationBook } from './allocations.js';
import { demandDecoration } from './decorations.js';

const BASE = '/payment-api/v1';

type WithId = FastifyRequest<{ Params: { allocationId: string } }>;

/** Registers accounts, allocation and decoration routes. */
export function registerAllocationRoutes(
  app: FastifyInstance,
  requestorId: string,
  book: AllocationBook,
): void {
  app.get(
    `${BASE}/requestorAccounts`,
    route((_request, reply) => {
      sendJson(reply, 200, requestorAccounts(requestorId));
    }),
  );

  app.post(
    `${BASE}/allocations`,
    route((request: FastifyRequest, reply) => {
      sendJson(reply, 201, book.create(request.body));
    }),
  );

  app.get(
    `${BASE}/allocations`,
    route((request: FastifyRequest, reply) => {
      const after = timestampParam(request, 'afterTimestamp');
      sendJson(reply, 200, book.list(after, intParam(queryParam(request, 'maxItems'), 'maxItems')));
    }),
  );

  app.get(
    `${BASE}/allocations/:allocationId`,
    route((request: WithId, reply) => {
      sendJson(reply, 200, book.get(request.params.allocationId));
    }),
  );

  app.put(
    `${BASE}/allocations/:allocationId`,
    route((request: WithId, reply) => {
      sendJson(reply, 200, book.amend(request.params.allocationId, request.body));
    }),
  );

  app.delete(
    `${BASE}/allocations/:allocationId`,
    route((request: WithId, reply) => {
      book.release(request.params.allocationId);
      sendJson(reply, 200, null);
    }),
  );

  app.get(
    `${BASE}/demandDecorations`,
    route((request: FastifyRequest, reply) => {
      const ids = queryList(request, 'allocationIds');
      if (ids.length === 0) throw new DevnetHttpError(400, 'Query parameter allocationIds is required');
      const unusable = book.findUnusable(ids);
      if (unusable !== undefined) throw new DevnetHttpError(404, `Allocation ${unusable} not found`);
      const allocations = ids.map((id) => book.peek(id)).filter((a): a is AllocationDto => a !== undefined);
      sendJson(reply, 200, demandDecoration(allocations));
    }),
  );
}
