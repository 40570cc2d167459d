/**
 * The base class of every resource of the tree (Demand → Proposal → Agreement → Activity → Batch;
 * Allocation, Invoice, DebitNote).
 *
 * @module
 */
import { EMPTY, Observable, Subject, concatWith, defer, lastValueFrom, of, share, tap } from 'rxjs';
import type { BusResource } from '../bus/events.js';
import { ResourceClosed, ResourceDataChanged } from '../bus/events.js';
import { ResourceDataNotLoadedError } from './errors/ResourceDataNotLoadedError.js';
import { type CallResult, fromCall } from '../rx/fromCall.js';
import { ChildList } from './childList.js';
import type { ResourceNode } from './ResourceNode.js';

/** Options of {@link Resource.getData}. */
export interface GetDataOptions {
  /**
   * Fetch even when data is cached (and update the cache).
   * @default false
   */
  force?: boolean;
  /** Stops waiting (this caller only: a request shared with other callers goes on). */
  signal?: AbortSignal;
}

type DataState<D> = { readonly data: D } | undefined;

/**
 * One object per yagna resource and node (an identity map: `node.agreement(id) === node.agreement(id)`),
 * with cached data, its place in the tree, the raw yagna events about it, and a closed flag.
 *
 * - `data` is the cached data; it throws `ResourceDataNotLoadedError` until fetched.
 *   `getData({ force })` fetches (concurrent calls share one request); `data$` replays the current
 *   data and emits every change, and completes when the resource is closed.
 * - `parent`, `children`, and `children$`, which replays the existing children, then emits new ones,
 *   and completes when no more can come.
 * - `events`: the raw yagna events about this resource, in arrival order.
 * - On the node's bus: `NewResource` when the object is made, `ResourceDataChanged` (with
 *   `oldData`) when the cached data changes, `ResourceClosed` exactly once.
 *
 * @typeParam D - its data (yagna's DTO, amounts as `Decimal`)
 * @typeParam E - the raw yagna events about it
 */
export abstract class Resource<D = unknown, E = unknown> implements BusResource {
  /** The resource kind on the bus (`'Demand'`, `'Agreement'`, …); the class's static `kind` too. */
  abstract readonly kind: string;

  // Made on first use: a long-lived demand makes many proposals that nobody ever watches.
  private current: DataState<D>;
  private dataChangedSubject: Subject<void> | undefined;
  private childListValue: ChildList | undefined;
  private childrenChangedSubject: Subject<void> | undefined;
  private eventList: E[] | undefined;
  private closedSubjectValue: Subject<void> | undefined;
  private parentResource: Resource | undefined;
  private childrenDone = false;
  private isClosed = false;
  private fetch$: Observable<D> | undefined;
  private weakSelf: WeakRef<Resource> | undefined;

  /**
   * Made by the node's factories only (`node.agreement(id)`, …), never directly.
   * @param node the node it belongs to
   * @param id yagna's id
   */
  constructor(
    readonly node: ResourceNode,
    readonly id: string,
  ) {}

  /** Fetches this resource's data from yagna. */
  protected abstract fetchData(signal: AbortSignal): CallResult<D>;

  /**
   * A `WeakRef` to this resource, made once: the node's identity map and a parent's weak child
   * list share it (a `WeakRef` is costly to make, and a demand makes thousands of proposals a second).
   * @internal
   */
  get weakRef(): WeakRef<Resource> {
    return (this.weakSelf ??= new WeakRef<Resource>(this));
  }

  private get dataChanged(): Subject<void> {
    return (this.dataChangedSubject ??= new Subject<void>());
  }

  private get childList(): ChildList {
    return (this.childListValue ??= new ChildList(this.holdsChildrenWeakly()));
  }

  private get childrenChanged(): Subject<void> {
    return (this.childrenChangedSubject ??= new Subject<void>());
  }

  private get closedSubject(): Subject<void> {
    return (this.closedSubjectValue ??= new Subject<void>());
  }

  /**
   * The cached data.
   * @throws {ResourceDataNotLoadedError} when it was never fetched
   */
  get data(): D {
    const state = this.current;
    if (state === undefined) {
      throw new ResourceDataNotLoadedError({ resourceType: this.kind, resourceId: this.id });
    }
    return state.data;
  }

  /** Is data cached? */
  get hasData(): boolean {
    return this.current !== undefined;
  }

  /**
   * The current data (if any), then every change. Hot; completes when the resource is closed
   * (after replaying the last data to late subscribers).
   */
  get data$(): Observable<D> {
    return new Observable<D>((subscriber) => {
      const emit = (): void => {
        if (this.current !== undefined) subscriber.next(this.current.data);
      };
      if (this.isClosed) {
        emit();
        subscriber.complete();
        return undefined;
      }
      const changes = this.dataChanged.subscribe({ next: emit, complete: () => subscriber.complete() });
      emit();
      return changes;
    });
  }

  /**
   * The data: the cached copy, or fetched when there is none (or with `force`). Concurrent
   * calls share one request.
   */
  getData(options: GetDataOptions = {}): Promise<D> {
    const { force = false, signal } = options;
    const state = this.current;
    if (!force && state !== undefined) return Promise.resolve(state.data);
    const request = lastValueFrom(this.load$());
    if (signal === undefined) return request;
    signal.throwIfAborted();
    let onAbort = (): void => undefined;
    const aborted = new Promise<never>((_resolve, reject) => {
      onAbort = () => reject(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    return Promise.race([request, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
  }

  /**
   * The data as a cold Observable: fetches (sharing a request already in flight) and updates
   * the cache. Unsubscribing the last subscriber aborts the request.
   */
  load$(): Observable<D> {
    this.fetch$ ??= defer(() => fromCall((signal) => this.fetchData(signal))).pipe(
      tap((data) => this.setData(data)),
      share({ resetOnComplete: true, resetOnError: true, resetOnRefCountZero: true }),
    );
    const shared$ = this.fetch$;
    // A subscriber that joins while the shared request is emitting its answer gets only its
    // completion: it then takes the data the request has just cached.
    return defer(() => {
      let got = false;
      return shared$.pipe(
        tap(() => (got = true)),
        concatWith(defer(() => (got || this.current === undefined ? EMPTY : of(this.current.data)))),
      );
    });
  }

  /** The cached data, or fetched when there is none: a cold Observable of one value. */
  ensureData$(): Observable<D> {
    return defer(() => (this.current === undefined ? this.load$() : of(this.current.data)));
  }

  /** The resource this one was made from (`undefined` for roots, or while unknown). */
  get parent(): Resource | undefined {
    return this.parentResource;
  }

  /** The resources made from this one, in order (for a demand: those still held somewhere). */
  get children(): readonly Resource[] {
    return this.childListValue?.values() ?? [];
  }

  /** The existing children, then the new ones; completes when no more can come. */
  get children$(): Observable<Resource> {
    return new Observable<Resource>((subscriber) => {
      let cursor = 0;
      let flushing = false;
      const flush = (): void => {
        if (flushing) return;
        flushing = true;
        try {
          for (
            let found = this.childList.next(cursor);
            !subscriber.closed;
            found = this.childList.next(cursor)
          ) {
            if (found === undefined) {
              cursor = this.childList.end; // what is left was collected
              break;
            }
            cursor = found.seq + 1;
            subscriber.next(found.child);
          }
          if (!subscriber.closed && this.childrenDone && cursor >= this.childList.end) subscriber.complete();
        } finally {
          flushing = false;
        }
      };
      const changes = this.childrenChanged.subscribe(() => flush());
      flush();
      return changes;
    });
  }

  /** The raw yagna events about this resource, in arrival order. */
  get events(): readonly E[] {
    return this.eventList ?? NO_EVENTS;
  }

  /** Has this resource been closed (released, terminated, unsubscribed, destroyed) or found gone? */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Emits once (and completes) when the resource is closed; at once if it is already. */
  get closed$(): Observable<void> {
    return defer(() => (this.isClosed ? of(undefined) : this.closedSubject.asObservable()));
  }

  /** Does it have no more children to expect? */
  protected get childrenComplete(): boolean {
    return this.childrenDone;
  }

  /**
   * Caches `data`; emits `ResourceDataChanged` when it differs from the cached copy.
   * @internal
   */
  setData(data: D): void {
    const previous = this.current;
    if (previous !== undefined && sameData(previous.data, data)) return;
    this.current = { data };
    this.dataChangedSubject?.next();
    this.node.events.emit(new ResourceDataChanged(this, previous?.data, data));
  }

  /**
   * Sets the parent (once) and adds this resource to its children.
   * @internal
   */
  attachTo(parent: Resource): void {
    if (this.parentResource !== undefined) return;
    this.parentResource = parent;
    parent.addChild(this);
  }

  /**
   * Records a raw yagna event about this resource.
   * @internal
   */
  recordEvent(event: E): void {
    (this.eventList ??= []).push(event);
  }

  /**
   * Marks this resource closed: emits `ResourceClosed` once, completes `data$`, and lets
   * {@link onClosed} finish what depends on it. Repeats are no-ops.
   * @internal
   */
  markClosed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.node.resourceClosed(this);
    this.node.events.emit(new ResourceClosed(this));
    this.dataChangedSubject?.complete();
    this.closedSubjectValue?.next();
    this.closedSubjectValue?.complete();
    this.onClosed();
  }

  /**
   * Declares that no more children can come: `children$` completes after the existing ones.
   * @internal
   */
  endChildren(): void {
    if (this.childrenDone) return;
    this.childrenDone = true;
    this.childrenChangedSubject?.next();
  }

  /**
   * Does this resource hold its children weakly (a child nobody else holds can be collected)?
   * Called once, while constructing.
   */
  protected holdsChildrenWeakly(): boolean {
    return false;
  }

  /** Called after a child was added. */
  protected onChildAdded(_child: Resource): void {
    // nothing by default
  }

  /** Called once, when the resource is closed. Ends the children by default. */
  protected onClosed(): void {
    this.endChildren();
  }

  private addChild(child: Resource): void {
    if (!this.childList.add(child)) return;
    this.childrenChangedSubject?.next();
    this.onChildAdded(child);
  }

  /** `Kind(id)`, for messages. Never contains secrets. */
  toString(): string {
    return `${this.kind}(${this.id})`;
  }

  /** The JSON of a resource: its kind and id (its data may be large; read `data`). */
  toJSON(): { kind: string; id: string } {
    return { kind: this.kind, id: this.id };
  }
}

/** The events of a resource that has none (shared, frozen). */
const NO_EVENTS: readonly never[] = Object.freeze([]);

/** Structural equality of two data snapshots (`Decimal`s compare by their JSON text). */
function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    // Unserialisable (a cycle, a bigint): count it as a change, so no update is ever missed.
    return false;
  }
}

/** Any resource. */
export type AnyResource = Resource<unknown, unknown>;
