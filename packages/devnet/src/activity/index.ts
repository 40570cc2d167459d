/**
 * Devnet's activity module: `/activity-api/v1` over one simulated exe-unit per activity
 * (`packages/devnet/src/exeunit`), and the {@link ActivityFacade} the payment module bills from.
 */
import type { FastifyInstance } from 'fastify';
import { Subject, merge } from 'rxjs';
import type { ActivityFacade, DevnetContext, DevnetModule, MarketFacade } from '../contracts.js';
import type { CommandHandler } from '../exeunit/index.js';
import { ActivityRegistry, type VmHost } from './registry.js';
import { registerResultsRoute } from './resultsRoute.js';
import { registerActivityRoutes } from './routes.js';

export { CRASH_TERMINATION_CODE } from './registry.js';
export type { ActivityVm, VmHost } from './registry.js';
export { SSE_PING_MS } from './sse.js';

/** Options of {@link createActivityModule}. */
export interface ActivityModuleOptions {
  /** Extra exe-unit commands for `run`, by name (they take precedence over builtins). */
  readonly commands?: Readonly<Record<string, CommandHandler>>;
  /** Interval of the SSE `:ping` comments, ms. @default 15 000 (Real) */
  readonly pingMs?: number;
  /** The network side of each activity's VM (the net module): its services and VPNs. */
  readonly vms?: VmHost;
}

/**
 * Creates the activity module: `register(app)` adds the routes; the facade lists activities and
 * their usage for billing; `close()` destroys every exe-unit and drops pending polls and streams;
 * `stats()` counts activities by state.
 *
 * @example
 * const activity = createActivityModule(ctx, market, { commands: { hello: (_args, io) => io.stdout('hi\n') } });
 * const payment = createPaymentModule(ctx, market, activity);
 */
export function createActivityModule(
  ctx: DevnetContext,
  market: MarketFacade,
  options: ActivityModuleOptions = {},
): DevnetModule & ActivityFacade {
  const registry = new ActivityRegistry(ctx, market, options.commands ?? {}, options.vms);
  const closing = new Subject<void>();
  let closed = false;
  return {
    activityChanges$: registry.activityChanges$,
    activitiesOf: (agreementId) => registry.activitiesOf(agreementId),
    usageOf: (activityId) => registry.usageOf(activityId),
    register(app: FastifyInstance): void {
      registerActivityRoutes(app, registry);
      registerResultsRoute(app, registry, {
        scheduler: ctx.scheduler,
        drop$: merge(ctx.restart$, closing),
        pingMs: options.pingMs,
      });
    },
    stats(): Record<string, unknown> {
      return { activities: registry.stats() };
    },
    close(): void {
      if (closed) return;
      closed = true;
      closing.next();
      closing.complete();
      registry.close();
    },
  };
}
