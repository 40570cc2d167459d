/**
 * Shared shapes of devnet's payment documents (debit notes and invoices).
 */
import type { Decimal } from 'decimal.js';

/** The agreement-level facts a provider writes on every document. */
export interface DocumentOrigin {
  readonly agreementId: string;
  readonly provider: { id: string; name: string };
  readonly appSessionId?: string;
  readonly platform: string;
  readonly payeeAddr: string;
}

/** Amounts for the stats page. */
export interface DocumentStats {
  readonly issued: number;
  readonly accepted: number;
  /** Σ due: latest debit note per activity, or every invoice. */
  readonly amountDue: string;
  readonly amountAccepted: string;
}

/** The `Not enough funds` check of acceptance (Real message). */
export function fundsMessage(remaining: Decimal, needed: Decimal): string {
  return `Not enough funds. Allocated: ${remaining.toFixed()} Needed: ${needed.toFixed()}`;
}
