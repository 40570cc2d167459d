/**
 * The rental ports: an agreement (`AgreementPort`) and an activity (`ActivityPort`), what
 * `createAgreement` and `createActivity` call. `src/resources`' `Agreement` and `Activity`
 * implement them. The contract of every method is in `./index.ts`.
 *
 * @module
 */
import type { Observable } from 'rxjs';

/**
 * An agreement between us and one provider.
 *
 * @typeParam T - the activity its `createActivity` yields.
 */
export interface AgreementPort<T extends ActivityPort = ActivityPort> {
  /** The agreement id. */
  readonly id: string;
  /** The provider's node id. */
  readonly providerId: string;
  /** Signs the agreement and sends it to the provider (state `Pending`). Completes on success. */
  confirm(): Observable<void>;
  /**
   * Waits for the provider's decision: completes when the agreement is approved; errors with
   * `AgreementNotApprovedError` when it is rejected, cancelled or expired, or when `timeout`
   * milliseconds pass undecided (outcome `Timeout`). The operators enforce the timeout with their
   * scheduler as well, so a port may re-issue yagna's long-poll until then.
   */
  waitForApproval(timeout: number): Observable<void>;
  /** Withdraws a not-yet-approved agreement (states `Proposal` / `Pending`). Completes on success. */
  cancel(reason: string): Observable<void>;
  /** Ends an approved agreement (state `Approved`). Completes on success. */
  terminate(reason: string): Observable<void>;
  /** Creates an activity on this agreement (not deployed yet): emits it and completes. */
  createActivity(): Observable<T>;
}

/** An activity: an execution environment on the provider, bound to one agreement. */
export interface ActivityPort {
  /** The activity id. */
  readonly id: string;
  /** The agreement it runs under. */
  readonly agreement: AgreementPort;
  /**
   * Deploys and starts the exe-unit. Completes when the activity is ready to run commands.
   * Without `args` the `deploy` command has no arguments; `createActivity({ deploy })` passes
   * some (a network's `net`, `env`, …). An implementation that takes none still satisfies the port.
   */
  deployAndStart(args?: DeployArgs): Observable<void>;
  /** Destroys the activity (yagna's `destroyActivity`). Completes on success. */
  destroy(): Observable<void>;
}

/** The activity type an agreement's `createActivity` yields. */
export type ActivityOf<A extends AgreementPort> =
  A extends AgreementPort<infer T extends ActivityPort> ? T : ActivityPort;

/**
 * The arguments of the exe-unit's `deploy` command (every field optional, REQUESTOR-GUIDE §4.3):
 * the VPN networks the exe-unit joins (`net`, see `network.deployArgs()`), `hosts`, `hostname`,
 * `env`, `volumes`, `progress`. Other fields are passed as they are.
 */
export type DeployArgs = {
  /** The networks to join: ya-client's `DeployNetwork` each. */
  readonly net?: readonly {
    readonly id: string;
    readonly ip: string;
    readonly mask: string;
    readonly gateway?: string;
    readonly nodeIp: string;
    readonly nodes: Readonly<Record<string, string>>;
  }[];
  /** Extra `/etc/hosts` entries, name → IP. */
  readonly hosts?: Readonly<Record<string, string>>;
  /** The exe-unit's host name. */
  readonly hostname?: string;
  /** Environment variables of every `run`. */
  readonly env?: Readonly<Record<string, string>>;
  readonly [field: string]: unknown;
};
