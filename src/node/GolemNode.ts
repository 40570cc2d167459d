import {
  BehaviorSubject,
  type Observable,
  ReplaySubject,
  type SchedulerLike,
  Subject,
  Subscription,
  defer,
  filter,
  finalize,
  firstValueFrom,
  from,
  lastValueFrom,
  merge,
  mergeMap,
  share,
  takeUntil,
} from 'rxjs';
import type { Decimal } from 'decimal.js';
import { createYagnaApi } from '../api/index.js';
import type { ExeScriptCommandDto, IdentityDto, OfferDto } from '../api/types/index.js';
import { EventBus, type ListenerHandle } from '../bus/EventBus.js';
import { NewResource, NodeClosed, NodeClosing, NodeStarted } from '../bus/events.js';
import { assertCleanClose } from '../errors/IncompleteCloseError.js';
import { NodeClosedError } from '../errors/NodeClosedError.js';
import { fromCall } from '../rx/fromCall.js';
import { type Action, action } from '../resources/Action.js';
import { Activity } from '../resources/Activity.js';
import { Agreement } from '../resources/Agreement.js';
import { Allocation } from '../resources/Allocation.js';
import { Batch } from '../resources/Batch.js';
import { DebitNote } from '../resources/DebitNote.js';
import { Demand } from '../resources/Demand.js';
import { inBackground, randomId, startLogging } from '../resources/internals.js';
import { IdentityMap } from '../resources/identityMap.js';
import { Invoice } from '../resources/Invoice.js';
import type { NodeApi } from '../resources/NodeApi.js';
import type { CloseReport } from '../resources/nodeClose.js';
import { listAllocations, listDebitNotes, listDemands, listInvoices } from '../resources/nodeListings.js';
import {
  allocationCreation,
  checkAllocationExpires,
  checkDemandExpiration,
  demandCreation,
  type DemandStreamOptions,
  resolveDemandRefresh,
  sharedDemand,
} from '../resources/nodeCreate.js';
import { retryTransient } from '../resources/retryTransient.js';
import { type ScanOptions, marketScan, scanConstraints } from '../resources/scan.js';
import {
  type CreateAllocationOptions,
  type CreateDemandOptions,
  type GolemNodeOptions,
  type NodeConfig,
  resolveNodeConfig,
} from '../resources/nodeOptions.js';
import { type CreateNetworkOptions, networkCreation } from '../network/createNetwork.js';
import type { Network } from '../network/Network.js';
import { type NodePaymentEvent, NodePayments } from './nodePayments.js';
import type { RentOptions, Rental, RentalPool, RentalPoolOptions } from '../rental/index.js';
import { rent, rentalPool } from '../rental/rent.js';
import { closeAndSettle } from './nodeSettle.js';
import {
  type AgreementEvent,
  agreementEventsOf,
  debitNotesOf,
  invoicesOf,
} from '../resources/nodeStreams.js';
import { Proposal } from '../resources/Proposal.js';
import type { Resource } from '../resources/Resource.js';
import type { ResourceNode } from '../resources/ResourceNode.js';

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
 *   `debitNotes$`; `scan$(…)`, the offers on the market. Every interval, backoff and timeout runs
 *   on `scheduler`.
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
export class GolemNode implements ResourceNode, AsyncDisposable {
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
  private readonly registry = new IdentityMap();
  private readonly autoclosed = new Set<Resource>();
  private readonly createdDemands = new Set<Demand>();
  private readonly creations = new BehaviorSubject<number>(0);
  private readonly demandCreated = new Subject<Demand>();
  private readonly proposalArrivals = new Subject<Proposal>();
  private readonly background = new Subscription();
  private readonly stopping = new ReplaySubject<void>(1);
  private readonly stopped = new ReplaySubject<void>(1);
  private readonly logging: ListenerHandle | undefined;
  private lifecycle: NodeState = 'new';
  private me: IdentityDto | undefined;
  private closing: Promise<CloseReport> | undefined;

  // --- sources (hot; each polls while subscribed, shared)

  /**
   * Every proposal (providers' initial offers and drafts) arriving for the demands this node
   * created, as it arrives; runs those demands' polls while subscribed (also of demands created
   * later). Completes when the node closes.
   */
  readonly proposals$: Observable<Proposal>;
  /** The agreement events of this session (`GET /agreementEvents`), each applied to its agreement first. */
  readonly agreementEvents$: Observable<AgreementEvent>;
  /** Invoices received in this session, each once (fetched and attached to its agreement). */
  readonly invoices$: Observable<Invoice>;
  /** Debit notes received in this session, each once (fetched and attached to its activity). */
  readonly debitNotes$: Observable<DebitNote>;

  /**
   * What the node's payer does with each debit note and invoice of the agreements this node made
   * (see `payments` in {@link GolemNodeOptions}): `accepted` (with `spent`, the node's total so
   * far), `overPrice`, `overBudget`, `failed`, `skipped`. Hot: only what happens while subscribed
   * (subscribing does not start the payer); completes when the node has closed.
   */
  readonly payments$: Observable<NodePaymentEvent>;

  /** The node's payer. @internal */
  readonly payer: NodePayments;

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
      this.logging = startLogging(this.events, options.logger, client.config.appKey);
    } else {
      this.api = options.api;
      this.apiUrl = options.apiUrl ?? '(injected api)';
      this.logging = startLogging(this.events, options.logger, options.appKey);
    }
    this.proposals$ = merge(
      this.proposalArrivals,
      defer(() => merge(from([...this.createdDemands].filter((d) => !d.closed)), this.demandCreated)).pipe(
        mergeMap((demand) => demand.collecting$),
      ),
    ).pipe(takeUntil(this.stopping$), share());
    this.agreementEvents$ = agreementEventsOf(this);
    this.invoices$ = invoicesOf(this);
    this.debitNotes$ = debitNotesOf(this);
    this.payer = new NodePayments(this, this.config.payments);
    this.payments$ = this.payer.events$;
  }

  /** What the node's payer accepted so far, in GLM (`Decimal`); zero with `payments: false`. */
  get spent(): Decimal {
    return this.payer.spent;
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
  readonly stopping$: Observable<void> = this.stopping.asObservable();

  /** Emits once (and completes) when `close()` has finished. @internal */
  readonly stopped$: Observable<void> = this.stopped.asObservable();

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
   * transient failures (idempotent ones by the client). Before the allocations are released it
   * settles the approved agreements this node made: waits up to `payments.invoiceTimeout` for
   * their invoices (the invoice and debit-note polls run until then), pays them, and reports the
   * rest in `report.unsettled` (an `AgreementUnsettled` event each). Emits `NodeClosing`, then
   * `NodeClosed`. Idempotent: later calls return the same report.
   *
   * @returns what could not be closed or settled
   */
  close(): Promise<CloseReport> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /**
   * The `Runnable` contract of the web wiring (docs/web.md): starts the node and resolves once
   * it has been closed (by {@link abort}, {@link close} or `await using`). Rejects when starting
   * fails (yagna unreachable, a wrong app key), and with `IncompleteCloseError` when the close
   * left resources open or agreements unsettled.
   */
  async run(): Promise<void> {
    if (this.lifecycle === 'new' || this.lifecycle === 'started') await this.start();
    await lastValueFrom(this.stopped, { defaultValue: undefined });
    assertCleanClose(await this.closing);
  }

  /** The `Runnable` contract: closes the node (see {@link close}); `run()` then resolves. */
  async abort(_reason?: unknown): Promise<void> {
    await this.close();
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
    checkAllocationExpires(options.expires);
    return action(
      this.whileOpen('createAllocation', () => this.creating(allocationCreation(this, this.env, options))),
    );
  }

  /**
   * Publishes a demand: the payload merged with the allocations' demand decorations
   * (`GET /demandDecorations`), `golem.srv.comp.expiration`, the subnet (property and constraint)
   * and the negotiable payment terms. With `autostart` (default) its events are collected at once.
   *
   * @throws {RangeError} (synchronously) when an explicit `expiration` is not in the future
   * @returns a cold, awaitable {@link Action} of the {@link Demand}
   */
  createDemand(options: CreateDemandOptions): Action<Demand> {
    checkDemandExpiration(this, options.expiration);
    return action(
      this.whileOpen('createDemand', () =>
        this.creating(
          demandCreation(this, this.env, options, (demand, body) => {
            demand.setBody(body);
            if (options.autoclose ?? true) this.autoclose(demand);
            if (!demand.closed) this.createdDemands.add(demand);
            this.demandCreated.next(demand);
            if (options.autostart ?? true)
              this.background.add(inBackground(demand, 'collectEvents', demand.collecting$));
          }),
        ),
      ),
    );
  }

  /**
   * The `demand$` of the one-liner: the initial proposals of a demand that is published when the
   * first subscriber arrives, kept on the market while anyone listens, and unsubscribed when the
   * last one leaves (best-effort, in the background; a failure becomes `ResourceOperationFailed`).
   * Hot and shared; completes when the node closes (which unsubscribes the demands it autocloses).
   *
   * With `refresh` (default) a new demand is published `refresh.margin` before the current one
   * ends (its `golem.srv.comp.expiration`, or yagna's subscription TTL) and at once when yagna has
   * lost it (a restart: its poll answers 404/410); the new demand's poll runs before the old one
   * is unsubscribed, so proposals keep coming without a gap, and no proposal comes twice (a
   * provider's offer to the new demand is a new proposal). Errors when publishing fails (a
   * republication after transient retries) or a poll fails for good.
   *
   * ```text
   * subscribers:  ^-------------------------!
   * demands:      (publish d1)  (publish d2, then unsubscribe d1)   (unsubscribe d2)
   * result:       ---a--b--------c----d-----
   * ```
   *
   * @throws {RangeError} (synchronously) when `expiration` is not in the future, or `refresh` is invalid
   * @see DemandStreamOptions
   */
  demand$(options: DemandStreamOptions): Observable<Proposal> {
    checkDemandExpiration(this, options.expiration);
    const { refresh, ...demand } = options;
    return sharedDemand({
      publish: (expiration) => this.createDemand({ ...demand, expiration, autostart: false }),
      release: (published) => {
        // Once the node is closing, close() unsubscribes the demands it autocloses itself.
        if (!(this.closingOrClosed && this.autoclosed.has(published)))
          inBackground(published, 'unsubscribe', published.unsubscribe());
      },
      expiration: options.expiration,
      refresh: resolveDemandRefresh(refresh),
      retry: retryTransient(this.config),
      minIntervalMs: this.config.poll.minIntervalMs,
      scheduler: this.scheduler,
    }).pipe(takeUntil(this.stopping$));
  }

  /**
   * The offers on the market, without a demand (yagna's market scan): those whose properties
   * satisfy `constraints`, or `payload`'s constraints and the subnet's (one way: the offers' own
   * constraints are not checked), each once (by offer id). A scan is begun when the first
   * subscriber arrives and ended when the last one leaves or the node closes; begun again when
   * yagna has lost it (a restart), without repeating an offer. Hot and shared; completes when the
   * node closes; errors when the scan cannot be begun or polled (e.g. invalid constraints).
   *
   * ```text
   * subscribers:  ^------------------!
   * scan:         (beginScan)        (endScan)
   * result:       --(ab)---c---------
   * ```
   *
   * @example
   * ```ts
   * node.scan$({ constraints: '(golem.runtime.name=vm)' })
   *   .pipe(takeUntil(timer(10_000)))
   *   .subscribe((offer) => console.log(offer.providerId, offer.properties['golem.inf.cpu.threads']));
   * ```
   * @see ScanOptions
   */
  scan$(options: ScanOptions): Observable<OfferDto> {
    return marketScan(this, scanConstraints(options, this.env));
  }

  /**
   * Creates a VPN (yagna's net API) and adds the requestor to it: `network.join(agreement)` (or
   * `addNode`) then adds each provider with an IP, and `createActivity({ deploy })` puts its
   * exe-unit in the network. `close()` removes the network after the activities (unless
   * `autoclose: false`). See docs/rentals.md.
   *
   * @throws {NetworkError} (synchronously) `invalidAddress` or `addressOutOfRange` for invalid options
   * @returns a cold, awaitable {@link Action} of the {@link Network}
   * @example
   * ```ts
   * const network = await node.createNetwork({ ip: '192.168.0.0/24' });
   * ```
   */
  createNetwork(options: CreateNetworkOptions = {}): Action<Network> {
    const creation$ = networkCreation(this, options);
    return action(this.whileOpen('createNetwork', () => creation$));
  }

  /**
   * Rents one provider for `options` (see docs/rentals.md): a demand published while renting, the
   * offers scored and negotiated, exactly one agreement signed, an activity started on it. The
   * {@link Rental} runs commands, streams their output and moves files; `rental.stop()` ends it and
   * settles its invoice (this node's payer pays it). `close()` stops the rentals still running.
   *
   * @throws {RangeError} (synchronously) on a bad option, or when no `allocation`, `budget`,
   *   complete `maxPrice` nor `costCap` says how much to reserve
   * @returns a cold, awaitable {@link Action} of the rental; errors with `RentalNotMadeError`
   *   when the demand ends or the node closes first
   * @example
   * ```ts
   * const rental = await node.rent({ payload, budget: 1 });
   * console.log((await rental.run('echo hi')).stdout);
   * await rental.stop();
   * ```
   */
  rent(options: RentOptions): Action<Rental> {
    return rent(this, options);
  }

  /**
   * A pool of rentals for `options` (see docs/rentals.md): keeps `min` (ready or in use), grows to
   * `max` while `acquire()`s wait, replaces a rental whose provider terminates it, and `drain()`
   * stops and settles every rental. `close()` drains an open pool and waits for it.
   *
   * @throws {RangeError} (synchronously) on a bad option (`min`/`max` included)
   * @throws {NodeClosedError} (synchronously) after `close()` began
   * @example
   * ```ts
   * const pool = node.rentalPool({ min: 1, max: 3, payload, budget: 5 });
   * const { stdout } = await pool.withRental((rental) => rental.run('nproc'));
   * await pool.drain();
   * ```
   */
  rentalPool(options: RentalPoolOptions): RentalPool<Rental> {
    return rentalPool(this, options);
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
    if (agreementId !== undefined && activity.parent === undefined)
      activity.attachTo(this.agreement(agreementId));
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
    return action(this.whileOpen('allocations', () => listAllocations(this)));
  }

  /** Every active demand (`GET /demands`), with fresh data. */
  demands(): Action<Demand[]> {
    return action(this.whileOpen('demands', () => listDemands(this)));
  }

  /** Every invoice (`GET /invoices`), with fresh data, attached to its agreement. */
  invoices(): Action<Invoice[]> {
    return action(this.whileOpen('invoices', () => listInvoices(this)));
  }

  /** Every debit note (`GET /debitNotes`), with fresh data, attached to its activity. */
  debitNotes(): Action<DebitNote[]> {
    return action(this.whileOpen('debitNotes', () => listDebitNotes(this)));
  }

  // --- internals of the resource layer

  /** Closes `resource` when the node closes. @internal */
  autoclose(resource: Resource): void {
    if (!resource.closed) this.autoclosed.add(resource);
  }

  /** Will `close()` close `resource` (it is autoclosed and still open)? @internal */
  closes(resource: Resource): boolean {
    return this.autoclosed.has(resource);
  }

  /** Is the node closing or closed? @internal */
  get closingOrClosed(): boolean {
    return this.lifecycle === 'closing' || this.lifecycle === 'closed';
  }

  /** A resource was closed: the node lets go of it. @internal */
  resourceClosed(resource: Resource): void {
    this.autoclosed.delete(resource);
    if (resource instanceof Demand) this.createdDemands.delete(resource);
  }

  /**
   * Counts a creating call (a POST that makes something to release later) while it is in flight,
   * whoever still listens: `close()` waits for these before it closes what they made. @internal
   */
  creating<T>(call$: Observable<T>): Observable<T> {
    return defer(() => {
      this.creations.next(this.creations.value + 1);
      return call$.pipe(finalize(() => this.creations.next(this.creations.value - 1)));
    });
  }

  /** An agreement of this node was approved: the payer takes it up. @internal */
  agreementApproved(agreement: Agreement): void {
    this.payer.approved(agreement);
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
    const existing = this.registry.get(kind, id);
    if (existing !== undefined) return existing as R;
    const created = make();
    this.registry.set(kind, id, created);
    this.events.emit(new NewResource(created));
    return created;
  }

  private assertOpen(operation: string): void {
    if (this.closingOrClosed) throw new NodeClosedError({ operation });
  }

  private whileOpen<T>(operation: string, build: () => Observable<T>): Observable<T> {
    return defer(() => {
      this.assertOpen(operation);
      return build();
    });
  }

  private async shutdown(): Promise<CloseReport> {
    this.lifecycle = 'closing';
    this.events.emit(new NodeClosing({ baseUrl: this.apiUrl }));
    this.stopping.next();
    this.stopping.complete();
    this.background.unsubscribe();
    // Creations in flight (a demand being published, an agreement being made) land first, so
    // that what they made is closed below rather than left behind.
    await firstValueFrom(this.creations.pipe(filter((n) => n === 0)));
    const report = await closeAndSettle(this, this.payer, this.autoclosed);
    for (const resource of this.registry.values()) resource.endChildren();
    this.lifecycle = 'closed';
    this.stopped.next();
    this.stopped.complete();
    this.events.emit(new NodeClosed({ baseUrl: this.apiUrl }));
    await this.logging?.whenIdle();
    this.logging?.stop();
    return report;
  }
}
