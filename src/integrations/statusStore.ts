import {
  BehaviorSubject,
  type Observable,
  type OperatorFunction,
  type SchedulerLike,
  type Subscription,
  asyncScheduler,
  catchError,
  defer,
  distinctUntilChanged,
  merge,
  of,
  scan,
  startWith,
} from 'rxjs';
import { type StatusEvent, type StatusLimits, type StatusState, initialStatus } from './statusModel.js';
import { statusReducer } from './statusReducer.js';

/**
 * Anything with a stream of status events: `node.events` (a `GolemNode`'s bus), a
 * `RunnableRegistry`, a `StatusFeed`, or `{ events$: yourObservable }`.
 */
export interface StatusSource {
  readonly events$: Observable<StatusEvent>;
}

/** Options of {@link statusOf} and {@link createStatusStore}. */
export interface StatusConfig {
  /** The clock of the events' timestamps. @default asyncScheduler */
  scheduler?: SchedulerLike;
  /** Bounds on the model's lists. */
  limits?: Partial<StatusLimits>;
}

/**
 * Folds status events into the status model with {@link statusReducer}, each stamped with
 * `scheduler.now()`: emits the initial model, then the model after each event that changed it.
 * Cold (each subscription folds on its own); completes and errors with the source.
 *
 * ```text
 * events:  --a--x--b--|      x changes nothing
 * result:  i-A-----B--|      i: initialStatus(now)
 * ```
 *
 * @param config - see {@link StatusConfig}.
 * @returns an operator from events to models.
 *
 * @example
 * ```ts
 * merge(node.events.events$, registry.events$).pipe(statusOf()).subscribe((s) => render(s));
 * ```
 */
export function statusOf(config: StatusConfig = {}): OperatorFunction<StatusEvent, StatusState> {
  const scheduler = config.scheduler ?? asyncScheduler;
  return (events$) =>
    defer(() => {
      const initial = initialStatus(scheduler.now(), config.limits);
      return events$.pipe(
        scan((state, event) => statusReducer(state, event, scheduler.now()), initial),
        startWith(initial),
        distinctUntilChanged(),
      );
    });
}

/** What the store folds in when a source errors (the reducer records it as a failure). */
export interface StatusSourceFailed extends StatusEvent {
  readonly type: 'StatusSourceFailed';
  readonly error: unknown;
}

/** A live status model: the latest state, and its changes. */
export interface StatusStore {
  /** The current model. */
  snapshot(): StatusState;
  /** The current model on subscribe, then every change. Hot; completes on {@link close}. */
  readonly state$: Observable<StatusState>;
  /** Stops following the sources. Idempotent. */
  close(): void;
}

/**
 * Follows `sources` from now on and keeps their status model (hot: it subscribes at once and
 * holds the subscription until `close()`). Subscribe before the node starts, because the bus
 * replays nothing. A source that errors stops the store following it; its error is kept
 * as a failure in the model (type `StatusSourceFailed`), the others go on.
 *
 * @param sources - e.g. `[node.events, registry, feed]`.
 * @param config - see {@link StatusConfig}.
 * @returns the store.
 *
 * @example
 * ```ts
 * const status = createStatusStore([node.events, registry, feed]);
 * app.get('/status', expressStatusHandler(status, { token }));
 * ```
 */
export function createStatusStore(
  sources: StatusSource | readonly StatusSource[],
  config: StatusConfig = {},
): StatusStore {
  const scheduler = config.scheduler ?? asyncScheduler;
  const list: readonly StatusSource[] = isSourceList(sources) ? sources : [sources];
  const state = new BehaviorSubject<StatusState>(initialStatus(scheduler.now(), config.limits));
  const apply = (event: StatusEvent): void => {
    const next = statusReducer(state.value, event, scheduler.now());
    if (next !== state.value) state.next(next);
  };
  // one failing source must not stop the others: its error becomes an event of the model
  const subscription: Subscription = merge(
    ...list.map((source) =>
      source.events$.pipe(
        catchError((error: unknown) => of<StatusSourceFailed>({ type: 'StatusSourceFailed', error })),
      ),
    ),
  ).subscribe({ next: apply });
  return {
    snapshot: () => state.value,
    state$: state.asObservable(),
    close: () => {
      subscription.unsubscribe();
      state.complete();
    },
  };
}

function isSourceList(sources: StatusSource | readonly StatusSource[]): sources is readonly StatusSource[] {
  return Array.isArray(sources);
}
