/**
 * Routes of `/activity-api/v1` except batch results: create (A1), exec (A2), destroy (A5),
 * state (A6), usage (A7), agreement (A8), running command (A9) and the list by agreement (A10).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {
  ActivityStateDto,
  ActivityUsageDto,
  CreateActivityResultDto,
  ExeScriptCommandStateDto,
} from 'golem-rx';
import { DevnetHttpError } from '../errors/DevnetHttpError.js';
import { isExeScriptParseError, isExeUnitStateError, parseExeScript } from '../exeunit/index.js';
import { queryParam } from '../http.js';
import { route, sendJson } from './common/http.js';
import type { ActivityRegistry } from './registry.js';

const BASE = '/activity-api/v1';

type WithId = FastifyRequest<{ Params: { activityId: string } }>;

/** The agreement id of a create request: `{"agreementId": …}` or a bare JSON string (legacy). */
function agreementIdOf(body: unknown): { agreementId: string; legacy: boolean } {
  if (typeof body === 'string' && body !== '') return { agreementId: body, legacy: true };
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const id = (body as Record<string, unknown>).agreementId;
    if (typeof id === 'string' && id !== '') return { agreementId: id, legacy: false };
  }
  throw new DevnetHttpError(400, 'Expected {"agreementId": "<id>"} or a JSON string agreement id');
}

/** Registers the activity control and state routes. */
export function registerActivityRoutes(app: FastifyInstance, registry: ActivityRegistry): void {
  app.post(
    `${BASE}/activity`,
    route((request: FastifyRequest, reply) => {
      const { agreementId, legacy } = agreementIdOf(request.body);
      const { activityId } = registry.create(agreementId);
      const result: CreateActivityResultDto = { activityId };
      sendJson(reply, 200, legacy ? activityId : result);
    }),
  );

  app.get(
    `${BASE}/activity`,
    route((request: FastifyRequest, reply) => {
      const agreementId = queryParam(request, 'agreementId');
      const ids = registry
        .all()
        .filter((r) => agreementId === undefined || r.agreementId === agreementId)
        .map((r) => r.activityId);
      sendJson(reply, 200, ids);
    }),
  );

  app.post(
    `${BASE}/activity/:activityId/exec`,
    route((request: WithId, reply) => {
      const record = registry.get(request.params.activityId);
      const body = request.body;
      const text =
        typeof body === 'object' && body !== null ? (body as Record<string, unknown>).text : undefined;
      if (typeof text !== 'string')
        throw new DevnetHttpError(400, 'Expected {"text": "<JSON array of commands>"}');
      try {
        sendJson(reply, 200, record.unit.exec(parseExeScript(text)));
      } catch (err) {
        if (isExeScriptParseError(err)) throw new DevnetHttpError(400, `Invalid ExeScript: ${err.message}`);
        if (isExeUnitStateError(err)) {
          throw new DevnetHttpError(400, `Activity [${record.activityId}] cannot execute: ${err.message}`);
        }
        throw err;
      }
    }),
  );

  app.delete(
    `${BASE}/activity/:activityId`,
    route((request: WithId, reply) => {
      registry.get(request.params.activityId).unit.destroy();
      sendJson(reply, 200, null);
    }),
  );

  app.get(
    `${BASE}/activity/:activityId/state`,
    route((request: WithId, reply) => {
      const state = registry.get(request.params.activityId).unit.state;
      const dto: ActivityStateDto = { state: [state.state[0], state.state[1]] };
      if (state.reason !== undefined) dto.reason = state.reason;
      if (state.errorMessage !== undefined) dto.errorMessage = state.errorMessage;
      sendJson(reply, 200, dto);
    }),
  );

  app.get(
    `${BASE}/activity/:activityId/usage`,
    route((request: WithId, reply) => {
      const record = registry.get(request.params.activityId);
      const dto: ActivityUsageDto = {
        currentUsage: record.unit.usageVector(record.usageVector),
        timestamp: record.unit.usage.timestamp,
      };
      sendJson(reply, 200, dto);
    }),
  );

  app.get(
    `${BASE}/activity/:activityId/agreement`,
    route((request: WithId, reply) => {
      sendJson(reply, 200, registry.get(request.params.activityId).agreementId);
    }),
  );

  app.get(
    `${BASE}/activity/:activityId/command`,
    route((request: WithId, reply) => {
      const running = registry.get(request.params.activityId).unit.runningCommand();
      if (running === undefined) throw new DevnetHttpError(404, 'No command is running');
      const dto: ExeScriptCommandStateDto = { batchId: running.batchId, command: running.command };
      if (running.params !== undefined) dto.params = [...running.params];
      if (running.progress !== undefined) dto.progress = running.progress;
      sendJson(reply, 200, [dto]);
    }),
  );
}
