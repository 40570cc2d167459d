/**
 * devnet's GSB module: yagna's GSB service API (`/gsb-api/v1`, gsb-api.yaml): bind services
 * (`POST /services` → 201 `{ listen, servicesId }`, `Location: /<servicesId>`), unbind them
 * (`DELETE /services/{servicesId}` → 200 `null`), and their websocket (`GET /services/{servicesId}`
 * upgraded, subprotocol `gsb+flexbuffers`), where the requests for them arrive flexbuffers-encoded
 * (gsb-api-messages.yaml). The simulated exe-units call the bound services through
 * {@link GsbNetwork}, as a provider's exe-unit reaches a requestor's gftp service through the net.
 */
import type { FastifyInstance } from 'fastify';
import { WebSocketServer } from 'ws';
import type { DevnetModule } from '../contracts.js';
import { DevnetHttpError } from '../errors/DevnetHttpError.js';
import { rejectUpgrade, type UpgradeRoute } from '../upgrade.js';
import type { GsbMap, GsbValue } from './codec.js';
import { GsbServices, type GsbStats } from './GsbServices.js';

export { GsbCallError, isGsbCallError } from './GsbCallError.js';
export type { GsbMap, GsbValue } from './codec.js';
export type { GsbStats } from './GsbServices.js';

/** The base path of the GSB API. */
export const GSB_API_PATH = '/gsb-api/v1';
/** The websocket subprotocol of a services' socket. */
export const GSB_SUBPROTOCOL = 'gsb+flexbuffers';

/** How a provider's exe-unit reaches the requestor's GSB services (through the Golem network). */
export interface GsbNetwork {
  /** The requestor node whose services these are. */
  readonly nodeId: string;
  /**
   * Calls `address` (`<prefix>/<component>`, e.g. `/public/gftp/<id>/GetChunk`) with `payload`:
   * resolves with the answer's payload; rejects with `GsbCallError` (no such service, an error
   * answered, the websocket closed), or with the signal's reason when it aborts.
   */
  call(address: string, payload: GsbMap, signal: AbortSignal): Promise<GsbValue>;
}

/** The GSB module: a devnet module, the network the exe-units call through, and its websocket route. */
export interface GsbModule extends DevnetModule, GsbNetwork {
  /** The services' websockets (`GET /gsb-api/v1/services/{servicesId}`, upgraded), for the upgrade router. */
  readonly socketRoute: UpgradeRoute;
}

/** Creates the GSB module of the requestor `requestorId`. */
export function createGsbModule(requestorId: string): GsbModule {
  const services = new GsbServices();
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024 * 1024,
    handleProtocols: (protocols) => (protocols.has(GSB_SUBPROTOCOL) ? GSB_SUBPROTOCOL : false),
  });
  const socketPath = new RegExp(`^${GSB_API_PATH}/services/([^/]+)$`);
  const socketRoute: UpgradeRoute = {
    matches: (path) => socketPath.test(path),
    upgrade: (request, socket, head, url) => {
      const servicesId = decodeURIComponent(socketPath.exec(url.pathname)![1]!);
      try {
        services.check(servicesId);
      } catch (error: unknown) {
        const status = error instanceof DevnetHttpError ? error.status : 500;
        rejectUpgrade(socket, status, error instanceof Error ? error.message : String(error));
        return;
      }
      sockets.handleUpgrade(request, socket, head, (ws) => services.attach(servicesId, ws));
    },
  };
  return {
    socketRoute,
    nodeId: requestorId,
    call: (address, payload, signal) => services.call(address, payload, signal),
    register(app: FastifyInstance): void {
      app.post(`${GSB_API_PATH}/services`, async (request, reply) => {
        const { on, components } = listenOf(request.body);
        const { servicesId } = services.bind(on, components);
        return reply
          .code(201)
          .header('location', `/${servicesId}`)
          .send({ listen: { on, components }, servicesId });
      });
      app.delete<{ Params: { servicesId: string } }>(
        `${GSB_API_PATH}/services/:servicesId`,
        async (request, reply) => {
          services.unbind(request.params.servicesId);
          return reply.code(200).type('application/json').send('null');
        },
      );
      app.get<{ Params: { servicesId: string } }>(`${GSB_API_PATH}/services/:servicesId`, async (request) => {
        services.check(request.params.servicesId);
        // a GET without `Upgrade: websocket` (the upgrade itself never reaches fastify)
        throw new DevnetHttpError(400, 'Expected a WebSocket upgrade request (Upgrade: websocket)');
      });
    },
    stats(): Record<string, unknown> {
      return { gsb: services.stats() satisfies GsbStats };
    },
    close(): void {
      services.close();
      for (const client of sockets.clients) client.terminate();
      sockets.close();
    },
  };
}

/**
 * The `listen` of a bind request, as serde reads `ServiceRequest`.
 * @throws DevnetHttpError 400 (yagna: `Json deserialize error: …`)
 */
function listenOf(body: unknown): { on: string; components: string[] } {
  const listen = (body as { listen?: unknown } | null | undefined)?.listen;
  const on = (listen as { on?: unknown } | null | undefined)?.on;
  const components = (listen as { components?: unknown } | null | undefined)?.components;
  if (typeof listen !== 'object' || listen === null)
    throw new DevnetHttpError(400, 'Json deserialize error: missing field `listen`');
  if (typeof on !== 'string')
    throw new DevnetHttpError(400, 'Json deserialize error: missing field `on` (a string)');
  if (!Array.isArray(components) || !components.every((c): c is string => typeof c === 'string'))
    throw new DevnetHttpError(400, 'Json deserialize error: missing field `components` (a list of strings)');
  return { on, components };
}
