/**
 * Composes the modules that sit beside the market: activity (exe-units, `/activity-api/v1`),
 * payment (`/payment-api/v1`), which bills the activities of the market's agreements, and net
 * (`/net-api`), the VPN the exe-units' VMs join and serve TCP in.
 */
import { createActivityModule } from './activity/index.js';
import type { DevnetContext, DevnetModule } from './contracts.js';
import type { MarketModule } from './market/index.js';
import type { DevnetOptions } from './options.js';
import { createNetModule } from './net/index.js';
import { createPaymentModule } from './payment/index.js';

/** The activity, payment and net modules over `market`, in registration order. */
export function createServiceModules(
  ctx: DevnetContext,
  market: MarketModule,
  options: Pick<DevnetOptions, 'commands' | 'payment'>,
): DevnetModule[] {
  const net = createNetModule(ctx);
  const activity = createActivityModule(ctx, market, {
    ...(options.commands === undefined ? {} : { commands: options.commands }),
    vms: net,
  });
  const payment = createPaymentModule(ctx, market, activity, options.payment ?? {});
  return [activity, payment, net];
}
