import type { Observable } from 'rxjs';
import { Subject } from 'rxjs';
import { KeyWindow } from '../sources/keyWindow.js';
import type { EventClass, EventOf, GolemEvent, ResourceEvent } from './events.js';
import { DuplicateResourceClosed, ListenerBacklogged, ListenerFailed, ResourceClosed } from './events.js';
import type { Listener } from './listenerQueue.js';
import { ListenerQueue } from './listenerQueue.js';
import type { ResourceMatcher } from './routing.js';
import { isInstance, matchesClasses, resourceFilter } from './routing.js';

/**
 * A node's in-process event bus (`node.events`): emit events, listen with callbacks
 * (`listen`, `resourceListen`, as in yapapi's EventBus), or compose `events$` with
 * `ofType`, `forResource`, `withIds`.
 *
 * Guarantees:
 * - **Order**: every listener and every `events$` subscriber sees the events in emit order,
 *   also when a listener emits from inside its callback (such emits are queued and dispatched
 *   after the current event has reached everyone).
 * - **Isolation**: each listener has its own queue and handles one event at a time, waiting for
 *   a returned Promise or Observable. A slow listener delays only itself; a throwing one becomes
 *   a `ListenerFailed` event (never delivered back to the listeners whose failures caused it).
 *   An unboundedly slow listener grows its own queue without limit; at `highWaterMark` events a
 *   `ListenerBacklogged` event reports it (once, again after its queue has emptied).
 * - **ResourceClosed at most once**: the bus remembers the last `closedMemory` closed resources
 *   (by kind and id) and turns a repeat into `DuplicateResourceClosed`, which no resource
 *   listener mistakes for a closing. Older closings are forgotten (bounded memory).
 *
 * `events$` is hot, never completes, and replays nothing: subscribe before emitting.
 *
 * @example
 * ```ts
 * const bus = new EventBus();
 * bus.resourceListen(async (e) => console.log(e.type, e.resource.id), { resourceClasses: ['Allocation'] });
 * bus.events$.pipe(ofType(ResourceClosed), withIds(agreementId), take(1)).subscribe(onClosed);
 * bus.emit(new NewResource(allocation));
 * ```
 */
export class EventBus {
  private readonly subject = new Subject<GolemEvent>();
  private readonly pending: GolemEvent[] = [];
  private readonly closedResources: KeyWindow;
  private readonly queues = new Set<Pick<ListenerQueue, 'idle' | 'whenIdle'>>();
  private readonly highWaterMark: number;
  private dispatching = false;
  private nextListener = 1;

  /** Every emitted event, in emit order. Hot; replays nothing; never completes. */
  readonly events$: Observable<GolemEvent> = this.subject.asObservable();

  /** @param config memory bounds */
  constructor(config: EventBusConfig = {}) {
    this.closedResources = new KeyWindow(config.closedMemory ?? 10_000);
    this.highWaterMark = config.highWaterMark ?? 1000;
  }

  /**
   * Emits `event` to `events$` and to the matching listeners. Returns once the event is
   * dispatched (synchronous listeners have run), not when async listeners are done.
   */
  emit(event: GolemEvent): void {
    this.pending.push(this.admit(event));
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let next = this.pending.shift(); next !== undefined; next = this.pending.shift()) {
        this.subject.next(next);
      }
    } finally {
      this.dispatching = false;
    }
  }

  /**
   * Calls `callback` with every event of one of `options.classes` (every event when none given).
   * @returns a handle to stop listening
   */
  listen<C extends EventClass = EventClass<GolemEvent>>(
    callback: Listener<EventOf<C>>,
    options: ListenOptions<C> = {},
  ): ListenerHandle {
    const classes: readonly EventClass[] = options.classes ?? [];
    return this.register(callback, (event): event is EventOf<C> => matchesClasses(event, classes), options);
  }

  /**
   * Calls `callback` with the resource events matching all given filters: event classes,
   * resource classes or kinds, resource ids (an empty or missing filter matches everything).
   * @returns a handle to stop listening
   */
  resourceListen<C extends EventClass<ResourceEvent> = EventClass<ResourceEvent>>(
    callback: Listener<EventOf<C>>,
    options: ResourceListenOptions<C> = {},
  ): ListenerHandle {
    const selected = resourceFilter(options);
    return this.register(callback, (event): event is EventOf<C> => selected(event), options);
  }

  /** Resolves when every listener has handled every event emitted so far (and since). */
  async drain(): Promise<void> {
    while ([...this.queues].some((queue) => !queue.idle)) {
      await Promise.all([...this.queues].map((queue) => queue.whenIdle()));
    }
  }

  /** A repeated `ResourceClosed` becomes `DuplicateResourceClosed`; anything else passes. */
  private admit(event: GolemEvent): GolemEvent {
    if (!isInstance<ResourceClosed>(event, ResourceClosed)) return event;
    const { kind, id } = event.resource;
    return this.closedResources.add(`${kind}:${id}`) ? event : new DuplicateResourceClosed(event);
  }

  private register<T extends GolemEvent>(
    callback: Listener<T>,
    accepts: (event: GolemEvent) => event is T,
    options: { readonly name?: string; readonly highWaterMark?: number },
  ): ListenerHandle {
    const id = `${options.name ?? 'listener'}#${this.nextListener++}`;
    const queue = new ListenerQueue<T>(id, callback, options.highWaterMark ?? this.highWaterMark, {
      failed: (event, error) =>
        this.emit(
          new ListenerFailed(id, event, error, event instanceof ListenerFailed ? [...event.chain, id] : [id]),
        ),
      backlogged: (queued) => this.emit(new ListenerBacklogged(id, queued, queue.highWaterMark)),
    });
    const subscription = this.subject.subscribe((event) => {
      if (event instanceof ListenerFailed && event.chain.includes(id)) return;
      if (event instanceof ListenerBacklogged && event.listener === id) return;
      if (accepts(event)) queue.push(event);
    });
    this.queues.add(queue);
    return {
      id,
      get queued() {
        return queue.queued;
      },
      stop: () => {
        subscription.unsubscribe();
        queue.stop();
        this.queues.delete(queue);
      },
      whenIdle: () => queue.whenIdle(),
    };
  }
}

/** A registered listener. */
export interface ListenerHandle {
  /** Unique within the bus: `name#n`; the id `ListenerFailed` and `ListenerBacklogged` report. */
  readonly id: string;
  /** Events waiting in this listener's queue. */
  readonly queued: number;
  /** Stops listening: drops what is waiting, cancels a returned Observable in progress. */
  stop(): void;
  /** Resolves when this listener's queue is empty and it is not handling an event. */
  whenIdle(): Promise<void>;
}

/** Options of {@link EventBus.listen}. */
export interface ListenOptions<C extends EventClass = EventClass> {
  /** Event classes to receive (subclasses included); all events when empty or missing. */
  readonly classes?: readonly C[];
  /** A name for the listener's id in reports. @default 'listener' */
  readonly name?: string;
  /** Queue length reported by `ListenerBacklogged`. @default the bus's highWaterMark */
  readonly highWaterMark?: number;
}

/** Options of {@link EventBus.resourceListen}. */
export interface ResourceListenOptions<C extends EventClass<ResourceEvent> = EventClass<ResourceEvent>> {
  /** Resource event classes to receive; all resource events when empty or missing. */
  readonly eventClasses?: readonly C[];
  /** Resource classes or kind names (`'Allocation'`); all resources when empty or missing. */
  readonly resourceClasses?: readonly ResourceMatcher[];
  /** Resource ids; all resources when empty or missing. */
  readonly ids?: readonly string[];
  /** A name for the listener's id in reports. @default 'listener' */
  readonly name?: string;
  /** Queue length reported by `ListenerBacklogged`. @default the bus's highWaterMark */
  readonly highWaterMark?: number;
}

/** Memory bounds of an {@link EventBus}. */
export interface EventBusConfig {
  /**
   * How many closed resources are remembered to drop a repeated `ResourceClosed`.
   * @default 10_000
   */
  readonly closedMemory?: number;
  /**
   * Default queue length at which a listener is reported as backlogged.
   * @default 1000
   */
  readonly highWaterMark?: number;
}
