/**
 * The routes of the net API, under both of yagna's prefixes (`/net-api/v1` and `/net-api/v2/vpn`,
 * one scope each in core/vpn/src/requestor.rs): networks, the requestor's addresses, nodes. Every
 * success body is JSON (`null` where yagna answers `()`); `GET /net/{id}/tcp` (connections) is in
 * the spec but not served by yagna, so it is a 404 here too.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { route, sendError, sendJson } from '../activity/common/http.js';
import { sendEmpty } from '../http.js';
import type { NetworkRegistry, VpnNetwork } from './networks.js';

/** The two prefixes yagna serves the VPN under. */
export const NET_PREFIXES = ['/net-api/v1', '/net-api/v2/vpn'] as const;

type WithNetwork = FastifyRequest<{ Params: { networkId: string } }>;
type WithNode = FastifyRequest<{ Params: { networkId: string; nodeId: string } }>;

/** Registers the REST routes of the net API. */
export function registerNetRoutes(app: FastifyInstance, registry: NetworkRegistry): void {
  /** yagna's owner check, then `body`: 404 `{"message"}` or 403 with no body when it fails. */
  const owned =
    <R extends WithNetwork>(body: (network: VpnNetwork, request: R, reply: FastifyReply) => void) =>
    (request: R, reply: FastifyReply): void => {
      const network = registry.lookup(request.params.networkId);
      if (network === 404) sendError(reply, 404, 'Network not found');
      else if (network === 403) sendEmpty(reply, 403);
      else body(network, request, reply);
    };

  for (const prefix of NET_PREFIXES) {
    const net = `${prefix}/net`;
    app.get(
      net,
      route((_request: FastifyRequest, reply) => {
        sendJson(reply, 200, registry.list());
      }),
    );
    app.post(
      net,
      route((request: FastifyRequest, reply) => {
        sendJson(reply, 200, registry.create(request.body));
      }),
    );
    app.get(
      `${net}/:networkId`,
      route(
        owned((network, _request: WithNetwork, reply) => {
          sendJson(reply, 200, registry.describe(network));
        }),
      ),
    );
    app.delete(
      `${net}/:networkId`,
      route(
        owned((network, _request: WithNetwork, reply) => {
          registry.remove(network);
          sendJson(reply, 200, null);
        }),
      ),
    );
    app.get(
      `${net}/:networkId/addresses`,
      route(
        owned((network, _request: WithNetwork, reply) => {
          sendJson(reply, 200, registry.addresses(network));
        }),
      ),
    );
    app.post(
      `${net}/:networkId/addresses`,
      route(
        owned((network, request: WithNetwork, reply) => {
          registry.addAddress(network, request.body);
          sendJson(reply, 200, null);
        }),
      ),
    );
    app.get(
      `${net}/:networkId/nodes`,
      route(
        owned((network, _request: WithNetwork, reply) => {
          sendJson(reply, 200, registry.nodes(network));
        }),
      ),
    );
    app.post(
      `${net}/:networkId/nodes`,
      route(
        owned((network, request: WithNetwork, reply) => {
          registry.addNode(network, request.body);
          sendJson(reply, 200, null);
        }),
      ),
    );
    app.delete(
      `${net}/:networkId/nodes/:nodeId`,
      route(
        owned((network, request: WithNode, reply) => {
          registry.removeNode(network, request.params.nodeId);
          sendJson(reply, 200, null);
        }),
      ),
    );
    // The TCP websocket itself is taken by the upgrade router; a plain GET gets actix's answer.
    app.get(
      `${net}/:networkId/tcp/:ip/:port`,
      route(
        owned((_network, _request: WithNetwork, reply) => {
          sendError(reply, 400, 'No WebSocket UPGRADE header found');
        }),
      ),
    );
  }
}
