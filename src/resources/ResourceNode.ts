/**
 * What a resource knows of the node it belongs to: the client, the bus, the clock and tuning, the
 * identity map's factories, and the hooks through which resources tell the node what happened.
 * `GolemNode` (src/node) implements it; the resource layer depends on this interface only, so the
 * node can sit above the operators it composes (its payer, its default policy) without a circle.
 *
 * The tuning, the lifecycle signals and the hooks are tagged internal, here and on `GolemNode`
 * alike: the published types (`stripInternal`) leave them out of both, so `GolemNode implements
 * ResourceNode` holds there too, and what users see of `resource.node` is what they may use.
 *
 * @module
 */
import type { Observable, SchedulerLike } from 'rxjs';
import type { ExeScriptCommandDto } from '../api/types/index.js';
import type { EventBus } from '../bus/EventBus.js';
import type { Activity } from './Activity.js';
import type { Agreement } from './Agreement.js';
import type { Allocation } from './Allocation.js';
import type { Batch } from './Batch.js';
import type { DebitNote } from './DebitNote.js';
import type { Demand } from './Demand.js';
import type { Invoice } from './Invoice.js';
import type { NodeApi } from './NodeApi.js';
import type { NodeConfig } from './nodeOptions.js';
import type { Proposal } from './Proposal.js';
import type { Resource } from './Resource.js';

/** The node as its resources see it (`resource.node`): a `GolemNode`. */
export interface ResourceNode {
  /** The node's event bus. */
  readonly events: EventBus;
  /** The yagna client. */
  readonly api: NodeApi;
  /** Correlation id sent with `confirm`. */
  readonly appSessionId: string;
  /** The clock of every interval, backoff and timeout. */
  readonly scheduler: SchedulerLike;
  /** The resolved tuning. @internal */
  readonly config: NodeConfig;
  /** Invoices received in this session, each once. */
  readonly invoices$: Observable<Invoice>;
  /** Debit notes received in this session, each once. */
  readonly debitNotes$: Observable<DebitNote>;
  /** Emits once when `close()` begins. @internal */
  readonly stopping$: Observable<void>;
  /** Emits once when `close()` has finished. @internal */
  readonly stopped$: Observable<void>;
  /** Is the node closing or closed? @internal */
  readonly closingOrClosed: boolean;

  /** The allocation `id` (identity map). */
  allocation(id: string): Allocation;
  /** The demand `id`. */
  demand(id: string): Demand;
  /** The proposal `id` of demand `demandId`. */
  proposal(id: string, demandId: string): Proposal;
  /** The agreement `id`. */
  agreement(id: string): Agreement;
  /** The activity `id`, attached to agreement `agreementId` when given. */
  activity(id: string, agreementId?: string): Activity;
  /** The invoice `id`. */
  invoice(id: string): Invoice;
  /** The debit note `id`. */
  debitNote(id: string): DebitNote;
  /** The batch `id` of an activity. @internal */
  batch(id: string, activity: Activity, script?: readonly ExeScriptCommandDto[]): Batch;

  /** Closes `resource` when the node closes. @internal */
  autoclose(resource: Resource): void;
  /** Will `close()` close `resource`? @internal */
  closes(resource: Resource): boolean;
  /** A resource was closed: the node lets go of it. @internal */
  resourceClosed(resource: Resource): void;
  /** Counts a creating call while it is in flight (`close()` waits for it). @internal */
  creating<T>(call$: Observable<T>): Observable<T>;
  /** A demand's poll found a proposal. @internal */
  proposalArrived(proposal: Proposal): void;
  /** An agreement of this node was approved (its payer takes it up). @internal */
  agreementApproved(agreement: Agreement): void;
}
