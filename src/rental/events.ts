/**
 * What a rental reports: its state, its events (for UIs and logs) and the report of its stop.
 *
 * @module
 */
import type { Decimal } from 'decimal.js';
import type { BudgetExceededError } from '../errors/BudgetExceededError.js';
import type { PaymentRefusedError } from '../errors/PaymentRefusedError.js';
import type { ReasonDto } from '../api/types/index.js';
import type { RejectionOutcome } from '../ports/index.js';
import type { Invoice } from '../resources/index.js';

/**
 * Where a rental is in its life: `ready` (it runs commands), `stopping` (its stop has begun:
 * destroying, terminating, settling), `stopped` (settled, or given up on; see its report).
 */
export type RentalState = 'ready' | 'stopping' | 'stopped';

/**
 * Why a rental stopped: `requested` (`rental.stop()`, or its pool), `providerTerminated` (the
 * provider ended the agreement: it failed, its activity crashed, or it stopped working for us),
 * `costCap` (its cost reached `costCap`), `timeout` (`timeout` passed), `nodeClosing`
 * (`node.close()` began).
 */
export type RentalStopCause = 'requested' | 'providerTerminated' | 'costCap' | 'timeout' | 'nodeClosing';

/** A refusal of a rental's debit note or invoice by the node's payer, typed. */
export type PaymentRefusal = PaymentRefusedError | BudgetExceededError;

/**
 * What became of a rental's invoice when it stopped:
 * - `accepted`: the node's payer accepted it (`amount` billed);
 * - `refused`: the payer refused it by policy (over the agreed prices: `PaymentRefusedError`; over
 *   the budget or the cost cap: `BudgetExceededError`), after rejecting it through yagna where
 *   yagna supports it (`rejection`);
 * - `failed`: accepting it failed (`error`);
 * - `timeout`: it was not dealt with within `invoiceTimeout` (the node's `close()` settles it
 *   later, if it comes);
 * - `notTerminated`: the agreement could not be terminated, so no invoice can come yet;
 * - `notPaid`: the node pays nothing (`payments: false`).
 */
export type RentalInvoiceOutcome =
  | { readonly status: 'accepted'; readonly invoice: Invoice | undefined; readonly amount: Decimal }
  | {
      readonly status: 'refused';
      readonly error: PaymentRefusal;
      readonly rejection: RejectionOutcome | undefined;
    }
  | { readonly status: 'failed'; readonly error: unknown }
  | { readonly status: 'timeout' | 'notTerminated' | 'notPaid' };

/** A call of a rental's stop that failed (it is not retried further). */
export interface RentalStopFailure {
  /** What was being done. */
  readonly operation: 'destroyActivity' | 'terminateAgreement' | 'removeNetworkNode' | 'releaseAllocation';
  /** What it failed with. */
  readonly error: unknown;
}

/** What `rental.stop()` reports: what was closed, and what became of the invoice. */
export interface RentalStopReport {
  /** The rental's agreement. */
  readonly agreementId: string;
  /** Its provider. */
  readonly providerId: string;
  /** Why it stopped. */
  readonly cause: RentalStopCause;
  /** What the provider said when it terminated the agreement (`providerTerminated`). */
  readonly providerReason?: ReasonDto;
  /** What it cost: the highest amount its debit notes and invoice billed (GLM). */
  readonly cost: Decimal;
  /**
   * The calls that failed: destroying the activity, terminating the agreement, removing its
   * provider from the network, releasing its allocation.
   */
  readonly failures: readonly RentalStopFailure[];
  /** What became of its invoice. */
  readonly invoice: RentalInvoiceOutcome;
  /** Nothing failed and the invoice was accepted (or the node pays nothing). */
  readonly ok: boolean;
}

/**
 * What a rental tells a UI or a log (`rental.events$`), typed by `type`:
 * - `costWarning`: its cost passed `costWarning` (once);
 * - `costCapReached`: its cost reached `costCap` (the payer refuses to go beyond it); it stops;
 * - `timedOut`: `timeout` passed; it stops;
 * - `providerTerminated`: the provider ended the agreement; it stops;
 * - `paymentRefused`: the node's payer refused one of its debit notes or its invoice by policy;
 * - `monitorFailed`: a stream it watches failed for good (the node's agreement events, its debit
 *   notes, the payer's events): it no longer sees what that stream told;
 * - `stopped`: its stop has finished, with the report (the last event).
 */
export type RentalEvent =
  | {
      readonly type: 'costWarning';
      readonly agreementId: string;
      readonly cost: Decimal;
      readonly threshold: Decimal;
    }
  | {
      readonly type: 'costCapReached';
      readonly agreementId: string;
      readonly cost: Decimal;
      readonly cap: Decimal;
    }
  | { readonly type: 'timedOut'; readonly agreementId: string; readonly timeout: number }
  | {
      readonly type: 'providerTerminated';
      readonly agreementId: string;
      readonly reason: ReasonDto | undefined;
    }
  | {
      readonly type: 'paymentRefused';
      readonly agreementId: string;
      readonly documentId: string;
      readonly documentKind: 'DebitNote' | 'Invoice';
      readonly error: PaymentRefusal;
      readonly rejection: RejectionOutcome | undefined;
    }
  | {
      readonly type: 'monitorFailed';
      readonly agreementId: string;
      readonly source: 'agreementEvents' | 'debitNotes' | 'payments';
      readonly error: unknown;
    }
  | { readonly type: 'stopped'; readonly agreementId: string; readonly report: RentalStopReport };

/** One chunk of a command's output, as it is produced (`rental.runAndStream`). */
export interface OutputChunk {
  /** The command's index in its batch (0 for `runAndStream`). */
  readonly index: number;
  /** Which stream. */
  readonly stream: 'stdout' | 'stderr';
  /** The text. */
  readonly text: string;
}
