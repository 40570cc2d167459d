/**
 * The activities of one devnet: one {@link ExeUnit} per activity, created from an approved
 * agreement, destroyed on request or when the agreement ends. Provider faults act here:
 * `crashActivity` crashes the exe-unit before a command (the activity goes `Unresponsive`, the
 * provider then terminates the agreement with `InitializationError`, which destroys the
 * activity), `failCommand` fails a command.
 */
import { Subject, Subscription, distinctUntilChanged, map, timer } from 'rxjs';
import type { Observable } from 'rxjs';
import type { ActivityFacade, AgreementView, DevnetContext, MarketFacade } from '../contracts.js';
import { DevnetHttpError } from '../errors/DevnetHttpError.js';
import { ExeUnit } from '../exeunit/index.js';
import type { ActivityState, CommandHandler, FaultDecision } from '../exeunit/index.js';
import type { DeployCommandBody } from '../exeunit/exescript.js';
import type { Properties } from 'golem-rx';
import { randomHex } from '../random.js';
import { newSimpleUuid } from './common/ids.js';

/** The `golem.provider.code` of an agreement the provider ends because its activity crashed. */
export const CRASH_TERMINATION_CODE = 'InitializationError';

/** One activity. */
export interface ActivityRecord {
  readonly activityId: string;
  readonly agreementId: string;
  readonly provider: { readonly id: string; readonly name: string };
  /** The agreement's `golem.com.usage.vector`. */
  readonly usageVector: readonly string[];
  readonly unit: ExeUnit;
}

/** A change of an activity's state, as {@link ActivityFacade.activityChanges$} emits it. */
export interface ActivityChange {
  readonly activityId: string;
  readonly agreementId: string;
  readonly state: string;
}

function usageVectorOf(agreement: AgreementView): string[] {
  const v = agreement.offerProperties['golem.com.usage.vector'];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** The network side of an activity's VM (devnet's net module): its services and VPNs. */
export interface ActivityVm {
  /** Commands that start services in the VM (as shell builtins; the user's commands win). */
  handlers(): Record<string, CommandHandler>;
  /** The `deploy` hook: joins the networks of `net`; a message fails the deploy. */
  deploy(body: DeployCommandBody): string | undefined;
  /** The activity ended (terminated or unresponsive): its services stop. */
  end(): void;
}

/** Makes the VM of each new activity. */
export interface VmHost {
  vmOf(activity: {
    readonly activityId: string;
    readonly agreementId: string;
    readonly providerId: string;
    readonly offerProperties: Properties;
  }): ActivityVm;
}

/** States after which an activity runs nothing more. */
const TERMINAL = new Set(['Terminated', 'Unresponsive']);

/** Activities by id, their exe-units, and their lifecycle. */
export class ActivityRegistry implements ActivityFacade {
  private readonly records = new Map<string, ActivityRecord>();
  private readonly subscriptions = new Subscription();
  private readonly changes = new Subject<ActivityChange>();
  /** Every state change of every activity (`Initialized` on creation … `Terminated`), hot. */
  readonly activityChanges$: Observable<ActivityChange> = this.changes.asObservable();

  constructor(
    private readonly ctx: DevnetContext,
    private readonly market: MarketFacade,
    private readonly commands: Readonly<Record<string, CommandHandler>>,
    private readonly vms?: VmHost,
  ) {
    this.subscriptions.add(
      market.agreementChanges$.subscribe({
        next: (agreement) => {
          if (agreement.state === 'Terminated') this.endAgreement(agreement.agreementId);
        },
        error: () => this.destroyAll('Market closed'),
      }),
    );
  }

  /**
   * Creates an activity on an approved agreement of this requestor.
   * @throws DevnetHttpError 404 unknown agreement, 403 not the caller's, 400 not `Approved`.
   */
  create(agreementId: string): ActivityRecord {
    const agreement = this.market.getAgreement(agreementId);
    if (agreement === undefined) throw new DevnetHttpError(404, `Agreement [${agreementId}] not found.`);
    if (agreement.requestorId.toLowerCase() !== this.ctx.requestorId.toLowerCase()) {
      throw new DevnetHttpError(
        403,
        `Agreement [${agreementId}] does not belong to ${this.ctx.requestorId}.`,
      );
    }
    if (agreement.state !== 'Approved') {
      throw new DevnetHttpError(
        400,
        `Agreement [${agreementId}] is not Approved (state: ${agreement.state}).`,
      );
    }
    const provider = { id: agreement.providerId, name: agreement.providerName };
    const activityId = newSimpleUuid(this.ctx.random);
    const vm = this.vms?.vmOf({
      activityId,
      agreementId,
      providerId: provider.id,
      offerProperties: agreement.offerProperties,
    });
    const unit = new ExeUnit({
      scheduler: this.ctx.scheduler,
      handlers: vm === undefined ? this.commands : { ...vm.handlers(), ...this.commands },
      newBatchId: () => randomHex(this.ctx.random, 32),
      faults: { beforeCommand: () => this.faultFor(provider), crashState: 'Unresponsive' },
      ...(this.ctx.gsb === undefined ? {} : { gsb: this.ctx.gsb }),
      ...(vm === undefined ? {} : { onDeploy: (body: DeployCommandBody) => vm.deploy(body) }),
    });
    const record: ActivityRecord = {
      activityId,
      agreementId,
      provider,
      usageVector: usageVectorOf(agreement),
      unit,
    };
    this.records.set(record.activityId, record);
    this.subscriptions.add(
      unit.state$
        .pipe(
          distinctUntilChanged((a, b) => a.state[0] === b.state[0]),
          map((state): [ActivityState, ActivityChange] => [
            state,
            { activityId: record.activityId, agreementId, state: state.state[0] },
          ]),
        )
        .subscribe({
          next: ([state, change]) => {
            this.changes.next(change);
            if (TERMINAL.has(state.state[0])) vm?.end();
            if (state.reason === 'Crashed') this.onCrash(record, state);
          },
        }),
    );
    return record;
  }

  /** The activity, or 404. */
  get(activityId: string): ActivityRecord {
    const record = this.records.get(activityId);
    if (record === undefined) throw new DevnetHttpError(404, `Activity [${activityId}] not found.`);
    return record;
  }

  /** All activities, in creation order. */
  all(): ActivityRecord[] {
    return [...this.records.values()];
  }

  activitiesOf(agreementId: string): readonly string[] {
    return this.all()
      .filter((r) => r.agreementId === agreementId)
      .map((r) => r.activityId);
  }

  usageOf(activityId: string): readonly number[] | undefined {
    const record = this.records.get(activityId);
    return record?.unit.usageVector(record.usageVector);
  }

  /** Activities by current state, and their total. */
  stats(): Record<string, number> {
    const byState: Record<string, number> = { total: this.records.size };
    for (const r of this.records.values()) {
      const s = r.unit.state.state[0];
      byState[s] = (byState[s] ?? 0) + 1;
    }
    return byState;
  }

  /** Destroys every exe-unit and stops listening. Idempotent. */
  close(): void {
    this.subscriptions.unsubscribe();
    this.destroyAll('Shutdown');
    this.changes.complete();
  }

  private faultFor(provider: { id: string; name: string }): FaultDecision {
    if (this.ctx.faults.providerHas('crashActivity', provider) !== undefined) return 'crash';
    if (this.ctx.faults.providerHas('failCommand', provider) !== undefined) return 'fail';
    return undefined;
  }

  private onCrash(record: ActivityRecord, state: ActivityState): void {
    // On the next turn of the scheduler: terminating the agreement destroys the activity, which
    // must not happen inside the exe-unit's own state notification.
    this.subscriptions.add(
      timer(0, this.ctx.scheduler).subscribe(() => {
        if (this.market.getAgreement(record.agreementId)?.state !== 'Approved') return;
        this.market.terminateByProvider(record.agreementId, {
          message: `Activity [${record.activityId}] crashed: ${state.errorMessage ?? 'ExeUnit crashed'}`,
          code: CRASH_TERMINATION_CODE,
        });
      }),
    );
  }

  private endAgreement(agreementId: string): void {
    for (const r of this.records.values()) {
      if (r.agreementId === agreementId) r.unit.destroy('Agreement terminated');
    }
  }

  private destroyAll(reason: string): void {
    for (const r of this.records.values()) r.unit.destroy(reason);
  }
}
