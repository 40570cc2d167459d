/**
 * Devnet's payment module: `/payment-api/v1` (accounts, allocations, demand decorations, debit
 * notes, invoices, their event logs, payments) and the payment behaviour of the simulated
 * providers (debit notes at the negotiated interval, `DebitNotesDeadline`, invoices).
 */
import type { FastifyInstance } from 'fastify';
import type { ActivityFacade, DevnetContext, DevnetModule, MarketFacade } from '../contracts.js';
import { DevnetClock } from '../clock.js';
import { LongPolls } from '../longPoll.js';
import { balances } from './accounts.js';
import { AllocationBook } from './allocations.js';
import { registerAllocationRoutes } from './allocationRoutes.js';
import { ProviderBilling } from './billing.js';
import { DebitNoteBook } from './debitNotes.js';
import { registerDocumentRoutes } from './documentRoutes.js';
import { InvoiceBook } from './invoices.js';
import { PaymentLedger } from './ledger.js';

/** Optional settings of {@link createPaymentModule}. */
export interface PaymentModuleOptions {
  /**
   * Funded balance of each requestor account, by platform (decimal strings).
   * @default 1 000 000 on each testnet platform, 10 000 on `erc20-polygon-glm`
   */
  readonly balances?: Readonly<Record<string, string>>;
  /**
   * Delay between the acceptance of a payable document (an invoice, or a debit note with a
   * `paymentDueDate`) and its settlement (`SETTLED`, a payment record), in ms on the devnet scheduler.
   * @default 1000
   */
  readonly settleDelayMs?: number;
}

/**
 * Creates the payment module. `register(app)` adds the routes; `close()` stops the providers'
 * timers and drops pending long-polls; `stats()` reports allocations, documents and payments.
 *
 * @example
 * const payment = createPaymentModule(ctx, market, activity);
 * await payment.register(app);
 */
export function createPaymentModule(
  ctx: DevnetContext,
  market: MarketFacade,
  activities: ActivityFacade,
  options: PaymentModuleOptions = {},
): DevnetModule {
  const clock = new DevnetClock(ctx.scheduler);
  const allocations = new AllocationBook(ctx, balances(options.balances));
  const ledger = new PaymentLedger(ctx, clock, options.settleDelayMs ?? 1000);
  const debitNotes = new DebitNoteBook(ctx, clock, allocations, ledger);
  const invoices = new InvoiceBook(ctx, clock, allocations, ledger);
  const billing = new ProviderBilling(ctx, market, activities, debitNotes, invoices);
  const polls = new LongPolls(ctx.scheduler, ctx.restart$);
  let closed = false;
  billing.start();

  return {
    register(app: FastifyInstance): void {
      registerAllocationRoutes(app, ctx.requestorId, allocations);
      registerDocumentRoutes(app, {
        polls,
        debitNotes,
        invoices,
        ledger,
      });
    },
    stats(): Record<string, unknown> {
      return {
        allocations: allocations.stats(),
        debitNotes: debitNotes.stats(),
        invoices: invoices.stats(),
        payments: ledger.stats(),
      };
    },
    close(): void {
      if (closed) return;
      closed = true;
      polls.close();
      billing.close();
      allocations.close();
      ledger.close();
      debitNotes.events.close();
      invoices.events.close();
    },
  };
}
