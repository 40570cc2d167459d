/** `GET /me` (the app key's identity) and `GET /version/get` (no auth). */
import type { FastifyInstance } from 'fastify';
import type { IdentityDto, VersionDto } from 'golem-rx';
import type { DevnetContext } from './contracts.js';

/** The yagna version devnet claims to be (golem-js requires ≥ 0.15.2). */
export const DEVNET_YAGNA_VERSION = '0.17.6';

/** Registers the identity and version routes. */
export function registerIdentityRoutes(app: FastifyInstance, ctx: DevnetContext, startedAt: string): void {
  const me: IdentityDto = { identity: ctx.requestorId, name: ctx.appKeyName, role: 'manager' };
  const version: VersionDto = {
    current: {
      version: DEVNET_YAGNA_VERSION,
      name: `v${DEVNET_YAGNA_VERSION} (devnet)`,
      seen: false,
      releaseTs: '2025-03-01T12:00:00Z',
      insertionTs: startedAt,
      updateTs: startedAt,
    },
    pending: null,
  };
  app.get('/me', async () => me);
  app.get('/version/get', async () => version);
}
