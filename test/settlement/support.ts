/** Helpers of the settlement tests: devnet's invoice counters and a client that counts its calls. */
import { createYagnaApi } from '../../src/api/index.js';
import type { DevnetHandle } from '@golem-rx/devnet';
import type { NodeApi } from '../../src/resources/NodeApi.js';

/** devnet's invoice and debit-note counters. */
export interface PaymentCounters {
  invoices: { issued: number; accepted: number; amountDue: string; amountAccepted: string };
  debitNotes: { issued: number; accepted: number; amountAccepted: string };
}

/** devnet's invoice and debit-note counters, now. */
export function paymentCounters(devnet: DevnetHandle): PaymentCounters {
  const stats = devnet.stats() as unknown as PaymentCounters;
  return { invoices: { ...stats.invoices }, debitNotes: { ...stats.debitNotes } };
}

/**
 * The real client of `devnet` (real loopback HTTP), recording the name of every payment call
 * made through it (e.g. `getInvoiceEvents`).
 */
export function countingApi(devnet: DevnetHandle): { api: NodeApi; paymentCalls: string[] } {
  const client = createYagnaApi({ url: devnet.url, appKey: devnet.appKey }, {});
  const paymentCalls: string[] = [];
  const payment = new Proxy(client.payment, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        paymentCalls.push(String(key));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { api: { ...client, payment }, paymentCalls };
}
