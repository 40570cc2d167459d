/**
 * Composes the modules that sit beside the market: activity (exe-units, `/activity-api/v1`)
 * and payment (`/payment-api/v1`), which bills the activities of the market's agreements.
 */
import { createActivityModule } from './activity/index.js';
import type { DevnetContext, DevnetModule } from './contracts.js';
import type { MarketModule } from './market/index.js';
import type { DevnetOptions } from './options.js';
import { createPaymentModule } from './payment/index.js';

/** The activity and payment modules over `market`, in registration order. */
export function createServiceModules(
  ctx: DevnetContext,
  market: MarketModule,
  options: Pick<DevnetOptions, 'commands' | 'payment'>,
): DevnetModule[] {
  const activity = createActivityModule(
    ctx,
    market,
    options.commands === undefined ? {} : { commands: options.commands },
  );
  const payment = createPaymentModule(ctx, market, activity, options.payment ?? {});
  return [activity, payment];
}
