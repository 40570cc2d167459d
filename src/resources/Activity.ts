import {
  type Observable,
  concatMap,
  defer,
  distinctUntilChanged,
  exhaustMap,
  filter,
  ignoreElements,
  map,
  share,
  takeUntil,
  takeWhile,
  timer,
} from 'rxjs';
import type { ActivityStateDto, ActivityStateName, ExeScriptCommandDto } from '../api/types/index.js';
import { ResourceDataNotLoadedError } from './errors/ResourceDataNotLoadedError.js';
import type { ActivityPort, DeployArgs } from '../ports/index.js';
import { type CallResult, fromCall } from '../rx/fromCall.js';
import { type Action, action } from './Action.js';
import type { Agreement } from './Agreement.js';
import type { Batch } from './Batch.js';
import { DebitNote } from './DebitNote.js';
import { alongside } from '../rx/alongside.js';
import { isGone, onSuccess, tolerate, voidCall } from './internals.js';
import { Resource } from './Resource.js';

/** Server-side wait of `destroyActivity`, in seconds (as golem-js). */
const DESTROY_TIMEOUT_SEC = 30;

/** The ExeScript of {@link Activity.deployAndStart} without arguments. */
export const DEPLOY_AND_START: readonly ExeScriptCommandDto[] = [{ deploy: {} }, { start: {} }];

/**
 * An execution environment on the provider, bound to one agreement
 * (`agreement.createActivity()`; by id with `node.activity(id, agreementId?)`). Its parent is its
 * agreement; its children are its batches and debit notes.
 *
 * It implements the operator port {@link ActivityPort}. Data: `ActivityStateDto`
 * (`GET /activity/{id}/state`). Closed by `destroy()`, or when its agreement ends.
 *
 * @example
 * ```ts
 * const activity = await agreement.createActivity();
 * await activity.deployAndStart();
 * const batch = await activity.exec([{ run: { entry_point: '/bin/sh', args: ['-c', 'echo hi'], capture: { stdout: { atEnd: {} } } } }]);
 * batch.results$.subscribe((r) => console.log(r.index, r.stdout));
 * await activity.destroy();
 * ```
 */
export class Activity extends Resource<ActivityStateDto> implements ActivityPort {
  /** The resource kind on the bus. */
  static readonly kind = 'Activity';
  readonly kind = 'Activity';

  private agreementIdValue: string | undefined;
  private stateSource: Observable<ActivityStateName> | undefined;

  /**
   * Made by the node's factory only (`node.activity(id, agreementId)`).
   * @param node the node
   * @param id the activity id
   * @param agreementId its agreement, when known
   */
  constructor(node: Agreement['node'], id: string, agreementId?: string) {
    super(node, id);
    this.agreementIdValue = agreementId;
  }

  protected fetchData(signal: AbortSignal): CallResult<ActivityStateDto> {
    return this.node.api.activity.getActivityState(this.id, { signal });
  }

  /**
   * Its agreement.
   * @throws {ResourceDataNotLoadedError} for an activity made by id without its agreement id
   *   (call `resolveAgreement()` first)
   */
  get agreement(): Agreement {
    if (this.agreementIdValue === undefined) {
      throw new ResourceDataNotLoadedError({ resourceType: 'Activity', resourceId: this.id });
    }
    return this.node.agreement(this.agreementIdValue);
  }

  /** Its agreement (`undefined` while unknown). */
  override get parent(): Agreement | undefined {
    return super.parent as Agreement | undefined;
  }

  /** Its batches and debit notes. */
  override get children(): readonly (Batch | DebitNote)[] {
    return super.children as readonly (Batch | DebitNote)[];
  }

  /** The existing children, then new ones; completes when its agreement has ended. */
  override get children$(): Observable<Batch | DebitNote> {
    return super.children$ as Observable<Batch | DebitNote>;
  }

  /**
   * Finds its agreement (`GET /activity/{id}/agreement`) when it is not known yet.
   * @returns a cold, awaitable {@link Action} of the agreement
   */
  resolveAgreement(): Action<Agreement> {
    return action(
      defer(() =>
        this.agreementIdValue === undefined
          ? fromCall((signal) => this.node.api.activity.getActivityAgreement(this.id, { signal })).pipe(
              map((agreementId) => {
                this.agreementIdValue ??= agreementId;
                this.attachTo(this.agreement);
                return this.agreement;
              }),
            )
          : [this.agreement],
      ),
    );
  }

  /**
   * Runs an ExeScript batch (`POST /activity/{id}/exec`).
   *
   * @param script the commands, e.g. `[{ deploy: {} }, { start: {} }]`
   * @returns a cold, awaitable {@link Action} of the {@link Batch} (a child of this activity);
   *   read its `results$`
   */
  exec(script: readonly ExeScriptCommandDto[]): Action<Batch> {
    return action(
      defer(() =>
        fromCall((signal) => this.node.api.activity.exec(this.id, script, { signal })).pipe(
          map((batchId) => this.node.batch(batchId, this, script)),
        ),
      ),
    );
  }

  /**
   * Runs one command on the provider and emits its output once it has finished: a shell command
   * line (`/bin/sh -c command`) or an argument vector (`[program, ...args]`), with stdout and
   * stderr captured as text. Errors with `BatchError` when the command fails (the message
   * carries its stderr), as `batch.results$` does.
   *
   * @param command a command line for `/bin/sh -c`, or `[program, ...args]`
   * @returns a cold, awaitable {@link Action} of the {@link CommandOutput}
   *
   * @example
   * ```ts
   * const { stdout } = await activity.run('echo hello from $(hostname)');
   * ```
   */
  run(command: string | readonly string[]): Action<CommandOutput> {
    const [entryPoint, ...args] = typeof command === 'string' ? ['/bin/sh', '-c', command] : command;
    if (entryPoint === undefined) throw new RangeError('activity.run: the command is empty');
    const capture = {
      stdout: { atEnd: { format: 'string' as const } },
      stderr: { atEnd: { format: 'string' as const } },
    };
    return action(
      this.exec([{ run: { entry_point: entryPoint, args, capture } }]).pipe(
        concatMap((batch) => batch.results$),
        map((result) => ({ stdout: textOf(result.stdout), stderr: textOf(result.stderr) })),
      ),
    );
  }

  /**
   * The port of `createActivity`: runs `deploy` and `start` and completes when both succeeded;
   * errors with `BatchError` naming the failed command.
   *
   * @param args the `deploy` command's arguments (e.g. `network.deployArgs(agreement)` to join a
   *   VPN); without them it sends `{ deploy: {} }`, {@link DEPLOY_AND_START}
   * @returns a cold, awaitable {@link Action}
   */
  deployAndStart(args?: DeployArgs): Action<void> {
    const script = args === undefined ? DEPLOY_AND_START : [{ deploy: { ...args } }, { start: {} }];
    return action(
      this.exec(script).pipe(concatMap((batch) => batch.awaitEnd().results$.pipe(ignoreElements()))),
    );
  }

  /**
   * Destroys the activity (`DELETE /activity/{id}`). Transient failures are retried by the client
   * (DELETE is idempotent: its one retry layer). Tolerates an activity already gone (404/410),
   * which is also what a retry meets when the failed attempt did reach yagna. Closes the
   * resource on success.
   *
   * @returns a cold, awaitable {@link Action} that completes when destroyed
   */
  destroy(): Action<void> {
    return action(
      defer(() =>
        voidCall((signal) =>
          this.node.api.activity.destroyActivity(this.id, { timeout: DESTROY_TIMEOUT_SEC }, { signal }),
        ).pipe(
          tolerate(isGone),
          onSuccess(() => this.markClosed()),
        ),
      ),
    );
  }

  /**
   * The activity's state (`New`, `Initialized`, `Deployed`, `Ready`, `Unresponsive`,
   * `Terminated`), polled every `statePollIntervalMs` of the node's scheduler while subscribed
   * (shared), each distinct one emitted once. Updates `data`. Completes after `Terminated`, or
   * when the node stops.
   */
  get state$(): Observable<ActivityStateName> {
    this.stateSource ??= timer(0, this.node.config.statePollIntervalMs, this.node.scheduler).pipe(
      exhaustMap(() => this.load$()),
      map((data) => data.state[0]),
      distinctUntilChanged(),
      takeWhile((state) => state !== 'Terminated', true),
      takeUntil(this.node.stopped$),
      share({ resetOnError: true, resetOnComplete: true, resetOnRefCountZero: true }),
    );
    return this.stateSource;
  }

  /**
   * The activity's debit notes: those received so far, then new ones; runs `node.debitNotes$`
   * while subscribed. Completes when its agreement has ended (or the node stops).
   */
  get debitNotes$(): Observable<DebitNote> {
    return alongside(
      this.children$.pipe(filter((child): child is DebitNote => child instanceof DebitNote)),
      this.node.debitNotes$,
    );
  }

  /** Its batches. */
  get batches(): readonly Batch[] {
    return this.children.filter((child): child is Batch => !(child instanceof DebitNote));
  }

  /** A destroyed activity can still receive its last debit note: its children end with its agreement. */
  protected override onClosed(): void {
    if (this.agreementIdValue === undefined || this.agreement.closed) this.endChildren();
  }
}

/** What {@link Activity.run} emits: the command's captured output, as text. */
export interface CommandOutput {
  /** Its standard output. */
  readonly stdout: string;
  /** Its standard error. */
  readonly stderr: string;
}

/** Captured output as text (yagna sends text, or bytes for binary captures). */
function textOf(output: string | readonly number[] | null): string {
  if (output === null) return '';
  return typeof output === 'string' ? output : new TextDecoder().decode(Uint8Array.from(output));
}
