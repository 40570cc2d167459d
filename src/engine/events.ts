/**
 * The progress events of a task job (`executeTasks`, `mapTasks`): one stream that carries each
 * task's outcome (`taskFinished` with its result, or `taskFailed`) as it happens, beside what the
 * job does with the market, the providers and the money.
 *
 * @module
 */
import type { Decimal } from 'decimal.js';
import type { JobStopReason } from './errors/JobStoppedError.js';
import type { Task } from './Task.js';

/** Why a proposal went no further. */
export type ProposalRejection =
  /** The strategy scored it out (a price cap, a filter) or its provider is excluded. */
  | 'score'
  /** It expired before its turn. */
  | 'expired'
  /** Its provider already gave a draft (only with `negotiate`'s `distinctProviders`). */
  | 'provider'
  /** The provider rejected our counter-proposal, or the call failed. */
  | 'counter'
  /** We rejected the provider's draft: no task needed it, or its provider already works for us. */
  | 'draft';

/** The events about the market, providers, workers and money. */
export type JobEvent =
  | {
      /** The job began. */
      readonly type: 'jobStarted';
      readonly maxWorkers: number;
      readonly budget: Decimal | undefined;
      /** The subnet of the demand. */
      readonly subnet: string | undefined;
    }
  | {
      /** The job's allocation was created (sized by the budget). */
      readonly type: 'allocationCreated';
      readonly allocationId: string;
      readonly amount: Decimal;
    }
  | {
      /** A demand was published (a round of fresh offers: the first, or a refresh). */
      readonly type: 'demandPublished';
      readonly round: number;
    }
  | {
      /** An offer arrived. */
      readonly type: 'proposalReceived';
      readonly proposalId: string;
      readonly providerId: string;
    }
  | {
      /** An offer or draft went no further. `error` for `counter`. */
      readonly type: 'proposalRejected';
      readonly proposalId: string;
      readonly providerId: string;
      readonly reason: ProposalRejection;
      readonly error?: unknown;
    }
  | {
      /** An agreement was signed and approved. */
      readonly type: 'agreementSigned';
      readonly agreementId: string;
      readonly providerId: string;
    }
  | {
      /** Signing failed (not approved, rejected, the call failed). */
      readonly type: 'agreementFailed';
      readonly providerId: string;
      readonly agreementId: string | undefined;
      readonly error: unknown;
    }
  | {
      /** The activity of a signed agreement could not be started; the agreement was terminated. */
      readonly type: 'activityFailed';
      readonly providerId: string;
      readonly agreementId: string;
      readonly error: unknown;
    }
  | {
      /** A worker began on a ready activity. */
      readonly type: 'workerStarted';
      readonly providerId: string;
      readonly agreementId: string;
      readonly activityId: string;
    }
  | {
      /** A worker ended: returned (`error` undefined), or failed / was stopped (`error`). */
      readonly type: 'workerFinished';
      readonly providerId: string;
      readonly agreementId: string;
      readonly activityId: string;
      readonly error: unknown;
    }
  | {
      /** The job ended an agreement: `success` false carries a failure code to the provider. */
      readonly type: 'agreementTerminated';
      readonly agreementId: string;
      readonly providerId: string;
      readonly success: boolean;
      readonly reason: string;
    }
  | {
      /** A provider failed `failures` times in a row: no more work goes to it in this job. */
      readonly type: 'providerExcluded';
      readonly providerId: string;
      readonly failures: number;
    }
  | {
      /** A best-effort cleanup call failed; the resource may be left for yagna to expire. */
      readonly type: 'cleanupFailed';
      readonly action: string;
      readonly resourceId: string;
      readonly error: unknown;
    }
  | {
      /** A debit note was accepted. `amount` is the activity's cumulative total. */
      readonly type: 'debitNoteAccepted';
      readonly debitNoteId: string;
      readonly agreementId: string;
      readonly activityId: string;
      readonly amount: Decimal;
    }
  | {
      /** An invoice was accepted. */
      readonly type: 'invoiceAccepted';
      readonly invoiceId: string;
      readonly agreementId: string;
      readonly amount: Decimal;
    }
  | {
      /** A debit note or invoice was not accepted: over budget, or the accept call failed. */
      readonly type: 'paymentRefused';
      readonly kind: 'debitNote' | 'invoice';
      readonly documentId: string;
      readonly agreementId: string;
      readonly amount: Decimal;
      readonly error: unknown;
    }
  | {
      /** No invoice came for an agreement within the invoice timeout. */
      readonly type: 'invoiceMissing';
      readonly agreementId: string;
    }
  | {
      /** The job is over: every task has an outcome and every resource is released. */
      readonly type: 'done';
      readonly tasks: { readonly total: number; readonly finished: number; readonly failed: number };
      /** What the job accepted to pay (debit notes and invoices), in GLM. */
      readonly totalCost: Decimal;
      /** Set when the job stopped early. */
      readonly stopped: JobStopReason | undefined;
    };

/** The events about tasks. */
export type TaskEvent<D = unknown, R = unknown> =
  | {
      /** An attempt began on a worker. `attempt` counts from 1. */
      readonly type: 'taskStarted';
      readonly task: Task<D, R>;
      readonly providerId: string;
      readonly activityId: string;
      readonly attempt: number;
    }
  | {
      /** The task is done: its result, keyed by the task. Exactly once per task. */
      readonly type: 'taskFinished';
      readonly task: Task<D, R>;
      readonly result: R;
      readonly providerId: string;
      readonly attempt: number;
    }
  | {
      /** An attempt failed and the task was queued again for another provider. */
      readonly type: 'taskRetried';
      readonly task: Task<D, R>;
      readonly providerId: string;
      readonly attempt: number;
      readonly error: unknown;
    }
  | {
      /** The task failed for good. Exactly once per task (never with `taskFinished`). */
      readonly type: 'taskFailed';
      readonly task: Task<D, R>;
      /** The provider of the last attempt, if it ran. */
      readonly providerId: string | undefined;
      readonly attempts: number;
      readonly error: unknown;
    };

/** Everything a task job emits. Narrow on `type`. */
export type EngineEvent<D = unknown, R = unknown> = JobEvent | TaskEvent<D, R>;

/** A task's final outcome: what {@link taskResults} keeps of the event stream. */
export type TaskOutcome<D = unknown, R = unknown> = Extract<
  TaskEvent<D, R>,
  { type: 'taskFinished' | 'taskFailed' }
>;
