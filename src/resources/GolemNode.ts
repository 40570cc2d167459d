import {
  BehaviorSubject,
  Observable,
  type SchedulerLike,
  Subject,
  Subscription,
  concatMap,
  defer,
  filter,
  from,
  lastValueFrom,
  map,
  mergeMap,
  merge,
  of,
  share,
  take,
  takeUntil,
  throwError,
} from 'rxjs';
import { createYagnaApi } from '../api/index.js';
import type { ExeScriptCommandDto, IdentityDto, MarketDecorationDto } from '../api/types/index.js';
import { EventBus } from '../bus/EventBus.js';
import { NewResource, NodeClosed, NodeClosing, NodeStarted } from '../bus/events.js';
import { NoMatchingAccountError } from '../errors/NoMatchingAccountError.js';
import { NodeClosedError } from '../errors/NodeClosedError.js';
import { type Action, action, fromCall } from './Action.js';
import { Activity } from './Activity.js';
import { Agreement } from './Agreement.js';
import { Allocation } from './Allocation.js';
import { Batch } from './Batch.js';
import { DebitNote } from './DebitNote.js';
import { Demand } from './Demand.js';
import { ResourceOperationFailed } from './events.js';
import { randomId } from './internals.js';
import { Invoice } from './Invoice.js';
import type { NodeApi } from './NodeApi.js';
import { type CloseReport, closeResources } from './nodeClose.js';
import {
  type CreateAllocationOptions,
  type CreateDemandOptions,
  DEFAULT_ALLOCATION_EXPIRES_MS,
  DEFAULT_DEMAND_EXPIRATION_MS,
  type GolemNodeOptions,
  MAX_ALLOCATION_EXPIRES_MS,
  type NodeConfig,
  resolveNodeConfig,
} from './nodeOptions.js';
import { type AgreementEvent, agreementEventsOf, debitNotesOf, invoicesOf } from './nodeStreams.js';
import { buildDemand } from './payload.js';
import { Proposal } from './Proposal.js';
import type { Resource } from './Resource.js';

// Node ≥ 20.4 defines Symbol.asyncDispose; this guard only matters on older runtimes.
if (typeof Symbol.asyncDispose !== 'symbol') {
  Object.defineProperty(Symbol, 'asyncDispose', { value: Symbol.for('nodejs.asyncDispose') });
}

/** Where a node is in its life. */
export type NodeState = 'new' | 'started' | 'closing' | 'closed';

/**
 * The entry point: one identity (app key) on one yagna (API URL), the resources it knows
 * (one object per resource id), and its event bus `node.events`.
 *
 * - **Lifecycle**: `start()` checks the app key (`GET /me`) and emits `NodeStarted`; `close()`
 *   (or `await using`) stops every poll and closes the autoclosed resources in order
 *   batches → activities → agreements → demands → allocations, each phase in parallel, and
 *   returns a {@link CloseReport} of what it could not close.
 * - **Creating**: `createAllocation`, `createDemand` (cold, awaitable {@link Action}s), `demand$`.
 * - **By id** (not validated): `allocation`, `demand`, `proposal`, `agreement`, `activity`,
 *   `invoice`, `debitNote`. **Listings** under the app key: `allocations()`, `demands()`,
 *   `invoices()`, `debitNotes()`.
 * - **Sources** (hot; poll while subscribed): `proposals$`, `agreementEvents$`, `invoices$`,
 *   `debitNotes$`. Every interval, backoff and timeout runs on `scheduler`.
 *
 * @example
 * ```ts
 * await using node = await new GolemNode().start();
 * const allocation = await node.createAllocation({ amount: 1 });
 * const activity$ = node
 *   .demand$({ payload, allocations: [allocation] })
 *   .pipe(score(byPrice), negotiate(4), createAgreement(), createActivity(), take(1));
 * ```
 */
export class GolemNode implements AsyncDisposable {
  /** The node's event bus: resource, lifecycle and health events. */
  readonly events = new EventBus();
  /** The yagna client. */
  readonly api: NodeApi;
  /** Correlation id sent with `confirm`; it scopes the agreement and payment events. */
  readonly appSessionId: string;
  /** The clock of every interval, backoff and timeout. */
  readonly scheduler: SchedulerLike;
  /** The API root (for lifecycle events and logs; never the app key). */
  readonly apiUrl: string;
  /** The resolved tuning. @internal */
  readonly config: NodeConfig;

  private readonly env: Readonly<Record<string, string | undefined>>;
  private readonly registry = new Map<string, Resource>();
  private readonly autoclosed = new Set<Resource>();
  private readonly createdDemands: Demand[] = [];
  private readonly demandCreated = new Subject<Demand>();
  private readonly proposalArrivals = new Subject<Proposal>();
  private readonly background = new Subscription();
  private readonly stopping = new BehaviorSubject(false);
  private readonly stopped = new BehaviorSubject(false);
  private lifecycle: NodeState = 'new';
  private me: IdentityDto | undefined;
  private closing: Promise<CloseReport> | undefined;
  private streams: {
    proposals?: Observable<Proposal>;
    agreementEvents?: Observable<AgreementEvent>;
    invoices?: Observable<Invoice>;
    debitNotes?: Observable<DebitNote>;
  } = {};

  /** @param options see {@link GolemNodeOptions}; unset ones come from the environment */
  constructor(options: GolemNodeOptions = {}) {
    this.env = options.env ?? (typeof process === 'undefined' ? {} : process.env);
    this.config = resolveNodeConfig(options);
    this.scheduler = this.config.poll.scheduler;
    this.appSessionId = options.appSessionId ?? randomId();
    if (options.api === undefined) {
      const client = createYagnaApi({ url: options.apiUrl, appKey: options.appKey }, this.env);
      this.api = client;
      this.apiUrl = client.config.apiUrl;
    } else {
      this.api = options.api;
      this.apiUrl = options.apiUrl ?? '(injected api)';
    }
  }

  /** Where the node is in its life. */
  get state(): NodeState {
    return this.lifecycle;
  }

  /** The identity behind the app key (known after `start()`). */
  get identity(): IdentityDto | undefined {
    return this.me;
  }

  /** Emits once (and completes) when `close()` begins: every poll stops. @internal */
  get stopping$(): Observable<void> {
    return this.stopping.pipe(filter(Boolean), take(1), map(() => undefined));
  }

  /** Emits once (and completes) when `close()` has finished. @internal */
  get stopped$(): Observable<void> {
    return this.stopped.pipe(filter(Boolean), take(1), map(() => undefined));
  }

  /**
   * Checks the app key (`GET /me`), then emits `NodeStarted`. Idempotent.
   * @returns the node, for `await using node = await new GolemNode().start()`
   * @throws {NodeClosedError} after `close()`; the client's errors (e.g. `YagnaUnauthorizedError`)
   */
  async start(): Promise<this> {
    this.assertOpen('start');
    if (this.lifecycle === 'started') return this;
    const identity = await lastValueFrom(fromCall((signal) => this.api.identity.getIdentity({ signal })));
    if (this.lifecycle !== 'new') return this;
    this.me = identity;
    this.lifecycle = 'started';
    this.events.emit(new NodeStarted({ baseUrl: this.apiUrl }));
    return this;
  }

  /**
   * Stops every poll (aborting requests in flight) and closes the autoclosed resources:
   * batches → activities → agreements (terminated, or cancelled when not approved) → demands →
   * allocations. Each phase runs in parallel; non-idempotent steps are retried with backoff on
   * transient failures (idempotent ones by the client). Emits `NodeClosing`, then `NodeClosed`.
   * Idempotent: later calls return the same report.
   *
   * @returns what could not be closed
   */
  close(): Promise<CloseReport> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** `await using node = …` closes the node at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // --- creating

  /**
   * Reserves funds: picks the requestor account that sends on `driver`/`network`
   * (`GET /requestorAccounts`) and creates an allocation on its platform and address.
   *
   * @throws {RangeError} (synchronously) when `expires` is not in (0, 24 h]
   * @returns a cold, awaitable {@link Action} of the {@link Allocation}; errors with
   *   `NoMatchingAccountError` when no account matches
   */
  createAllocation(options: CreateAllocationOptions): Action<Allocation> {
    const expires = options.expires ?? DEFAULT_ALLOCATION_EXPIRES_MS;
    if (!(Number.isFinite(expires) && expires > 0 && expires <= MAX_ALLOCATION_EXPIRES_MS)) {
      throw new RangeError(`createAllocation: expires must be in (0, ${MAX_ALLOCATION_EXPIRES_MS}] ms, got ${String(expires)}`);
    }
    const network = options.network ?? this.env.PAYMENT_NETWORK ?? 'holesky';
    const driver = options.driver ?? 'erc20';
    return action(
      this.whileOpen('createAllocation', () =>
        fromCall((signal) => this.api.payment.getRequestorAccounts({ signal })).pipe(
          concatMap((accounts) => {
            const account = accounts.find((a) => a.send && a.driver === driver && a.network === network);
            if (account === undefined) {
              const available = accounts.filter((a) => a.send).map((a) => a.platform);
              return throwError(() => new NoMatchingAccountError({ network, driver, available }));
            }
            const timeout = new Date(this.scheduler.now() + expires);
            return fromCall((signal) =>
              this.api.payment.createAllocation(
                { totalAmount: options.amount, paymentPlatform: account.platform, address: account.address, timeout },
                { signal },
              ),
            );
          }),
          map((data) => {
            const allocation = this.allocation(data.allocationId);
            allocation.setData(data);
            if (options.autoclose ?? true) this.autoclose(allocation);
            return allocation;
          }),
        ),
      ),
    );
  }

  /**
   * Publishes a demand: the payload merged with the allocations' demand decorations
   * (`GET /demandDecorations`), `golem.srv.comp.expiration`, the subnet (property and constraint)
   * and the negotiable payment terms. With `autostart` (default) its events are collected at once.
   *
   * @throws {RangeError} (synchronously) when `expiration` is not in the future
   * @returns a cold, awaitable {@link Action} of the {@link Demand}
   */
  createDemand(options: CreateDemandOptions): Action<Demand> {
    return action(
      this.whileOpen('createDemand', () => {
        const expirationMs = this.expirationOf(options.expiration);
        const allocations = options.allocations ?? [];
        const decoration$: Observable<MarketDecorationDto | undefined> =
          allocations.length === 0
            ? of(undefined)
            : fromCall((signal) => this.api.payment.getDemandDecorations(allocations.map((a) => a.id), { signal }));
        return decoration$.pipe(
          concatMap((decoration) => {
            const body = buildDemand({
              payload: options.payload,
              subnet: options.subnet ?? this.env.YAGNA_SUBNET ?? 'public',
              expirationMs,
              decoration,
              terms: options.terms,
            });
            return fromCall((signal) => this.api.market.subscribeDemand(body, { signal })).pipe(
              map((id) => {
                const demand = this.demand(id);
                demand.setBody(body);
                if (options.autoclose ?? true) this.autoclose(demand);
                this.createdDemands.push(demand);
                this.demandCreated.next(demand);
                if (options.autostart ?? true) this.collectInBackground(demand);
                return demand;
              }),
            );
          }),
        );
      }),
    );
  }

  /**
   * The `demand$` of the one-liner: the initial proposals of a demand that is published when the
   * first subscriber arrives and unsubscribed when the last one leaves (best-effort, in the
   * background; a failure becomes `ResourceOperationFailed`). Hot and shared.
   *
   * ```text
   * subscribers:  ^-----------!
   * demand:       (publish)   (unsubscribe)
   * result:       ---a--b--c--
   * ```
   */
  demand$(options: CreateDemandOptions): Observable<Proposal> {
    return new Observable<Proposal>((subscriber) => {
      let demand: Demand | undefined;
      let left = false;
      const release = (d: Demand): void => {
        d.unsubscribe().subscribe({
          error: (error: unknown) => this.events.emit(new ResourceOperationFailed(d, 'unsubscribe', error)),
        });
      };
      // Not aborted on teardown: a demand published meanwhile must be unsubscribed, not leaked.
      this.createDemand({ ...options, autostart: false }).subscribe({
        next: (created) => {
          demand = created;
          if (left) release(created);
          else subscriber.add(created.proposals$.subscribe(subscriber));
        },
        error: (error: unknown) => subscriber.error(error),
      });
      return () => {
        left = true;
        if (demand !== undefined && !demand.closed) release(demand);
      };
    }).pipe(share({ resetOnError: true, resetOnComplete: true, resetOnRefCountZero: true }));
  }

  // --- by id (not validated)

  /** The allocation `id`. */
  allocation(id: string): Allocation {
    return this.obtain(Allocation.kind, id, () => new Allocation(this, id));
  }

  /** The demand `id`. */
  demand(id: string): Demand {
    return this.obtain(Demand.kind, id, () => new Demand(this, id));
  }

  /** The proposal `id` of demand `demandId` (a proposal id means something only within its demand). */
  proposal(id: string, demandId: string): Proposal {
    return this.obtain(Proposal.kind, id, () => new Proposal(this, id, demandId));
  }

  /** The agreement `id`. */
  agreement(id: string): Agreement {
    return this.obtain(Agreement.kind, id, () => new Agreement(this, id));
  }

  /** The activity `id`; give its agreement id if known (else `activity.resolveAgreement()`). */
  activity(id: string, agreementId?: string): Activity {
    const activity = this.obtain(Activity.kind, id, () => new Activity(this, id, agreementId));
    if (agreementId !== undefined && activity.parent === undefined) activity.attachTo(this.agreement(agreementId));
    return activity;
  }

  /** The invoice `id`. */
  invoice(id: string): Invoice {
    return this.obtain(Invoice.kind, id, () => new Invoice(this, id));
  }

  /** The debit note `id`. */
  debitNote(id: string): DebitNote {
    return this.obtain(DebitNote.kind, id, () => new DebitNote(this, id));
  }

  /** The batch `id` of an activity (made by `activity.exec`). @internal */
  batch(id: string, activity: Activity, script?: readonly ExeScriptCommandDto[]): Batch {
    return this.obtain(Batch.kind, id, () => {
      const batch = new Batch(this, id, activity, script);
      batch.attachTo(activity);
      this.autoclose(batch);
      return batch;
    });
  }

  // --- listings (everything under the app key)

  /** Every active allocation (`GET /allocations`), with fresh data. */
  allocations(): Action<Allocation[]> {
    return this.list('allocations', () =>
      fromCall((signal) => this.api.payment.getAllocations({}, { signal })).pipe(
        map((list) => list.map((data) => this.withData(this.allocation(data.allocationId), data))),
      ),
    );
  }

  /** Every active demand (`GET /demands`), with fresh data. */
  demands(): Action<Demand[]> {
    return this.list('demands', () =>
      fromCall((signal) => this.api.market.getDemands({ signal })).pipe(
        map((list) => list.map((data) => this.withData(this.demand(data.demandId), data))),
      ),
    );
  }

  /** Every invoice (`GET /invoices`), with fresh data, attached to its agreement. */
  invoices(): Action<Invoice[]> {
    return this.list('invoices', () =>
      fromCall((signal) => this.api.payment.getInvoices({}, { signal })).pipe(
        map((list) =>
          list.map((data) => {
            const invoice = this.withData(this.invoice(data.invoiceId), data);
            invoice.attachTo(this.agreement(data.agreementId));
            return invoice;
          }),
        ),
      ),
    );
  }

  /** Every debit note (`GET /debitNotes`), with fresh data, attached to its activity. */
  debitNotes(): Action<DebitNote[]> {
    return this.list('debitNotes', () =>
      fromCall((signal) => this.api.payment.getDebitNotes({}, { signal })).pipe(
        map((list) =>
          list.map((data) => {
            const debitNote = this.withData(this.debitNote(data.debitNoteId), data);
            debitNote.attachTo(this.activity(data.activityId, data.agreementId));
            return debitNote;
          }),
        ),
      ),
    );
  }

  // --- sources

  /**
   * Every proposal (providers' initial offers and drafts) arriving for the demands this node
   * created, as it arrives. Runs those demands' polls while subscribed (also of demands created
   * later). Hot, shared; completes when the node closes.
   */
  get proposals$(): Observable<Proposal> {
    this.streams.proposals ??= merge(
      this.proposalArrivals,
      defer(() => merge(from([...this.createdDemands]), this.demandCreated)).pipe(
        mergeMap((demand) => demand.collecting$),
      ),
    ).pipe(takeUntil(this.stopping$), share());
    return this.streams.proposals;
  }

  /** The agreement events of this session (`GET /agreementEvents`), each applied to its agreement first. Hot. */
  get agreementEvents$(): Observable<AgreementEvent> {
    this.streams.agreementEvents ??= agreementEventsOf(this);
    return this.streams.agreementEvents;
  }

  /** Invoices received in this session, each once (fetched and attached to its agreement). Hot. */
  get invoices$(): Observable<Invoice> {
    this.streams.invoices ??= invoicesOf(this);
    return this.streams.invoices;
  }

  /** Debit notes received in this session, each once (fetched and attached to its activity). Hot. */
  get debitNotes$(): Observable<DebitNote> {
    this.streams.debitNotes ??= debitNotesOf(this);
    return this.streams.debitNotes;
  }

  // --- internals of the resource layer

  /** Closes `resource` when the node closes. @internal */
  autoclose(resource: Resource): void {
    if (!resource.closed) this.autoclosed.add(resource);
  }

  /** A demand's poll found a proposal: feeds `proposals$`. @internal */
  proposalArrived(proposal: Proposal): void {
    this.proposalArrivals.next(proposal);
  }

  /** Only the API root and session: never the app key. */
  toJSON(): { apiUrl: string; appSessionId: string; state: NodeState } {
    return { apiUrl: this.apiUrl, appSessionId: this.appSessionId, state: this.lifecycle };
  }

  /** `util.inspect` shows the same as `toJSON()`. */
  [Symbol.for('nodejs.util.inspect.custom')](): { apiUrl: string; appSessionId: string; state: NodeState } {
    return this.toJSON();
  }

  private obtain<R extends Resource>(kind: string, id: string, make: () => R): R {
    const key = `${kind}:${id}`;
    const existing = this.registry.get(key);
    if (existing !== undefined) return existing as R;
    const created = make();
    this.registry.set(key, created);
    this.events.emit(new NewResource(created));
    return created;
  }

  private withData<R extends Resource<D>, D>(resource: R, data: D): R {
    resource.setData(data);
    return resource;
  }

  private list<T>(operation: string, build: () => Observable<T[]>): Action<T[]> {
    return action(this.whileOpen(operation, build));
  }

  private assertOpen(operation: string): void {
    if (this.lifecycle === 'closing' || this.lifecycle === 'closed') throw new NodeClosedError({ operation });
  }

  private whileOpen<T>(operation: string, build: () => Observable<T>): Observable<T> {
    return defer(() => {
      this.assertOpen(operation);
      return build();
    });
  }

  private expirationOf(expiration: Date | number | undefined): number {
    const now = this.scheduler.now();
    const ms = expiration === undefined ? now + DEFAULT_DEMAND_EXPIRATION_MS : +expiration;
    if (!(Number.isFinite(ms) && ms > now)) {
      throw new RangeError(`createDemand: expiration must be in the future, got ${String(expiration)}`);
    }
    return ms;
  }

  private collectInBackground(demand: Demand): void {
    this.background.add(
      demand.collecting$.subscribe({
        error: (error: unknown) => this.events.emit(new ResourceOperationFailed(demand, 'collectEvents', error)),
      }),
    );
  }

  private async shutdown(): Promise<CloseReport> {
    this.lifecycle = 'closing';
    this.events.emit(new NodeClosing({ baseUrl: this.apiUrl }));
    this.stopping.next(true);
    this.background.unsubscribe();
    const report = await closeResources(this.autoclosed, this.config);
    for (const resource of this.registry.values()) resource.endChildren();
    this.lifecycle = 'closed';
    this.stopped.next(true);
    this.events.emit(new NodeClosed({ baseUrl: this.apiUrl }));
    return report;
  }
}
