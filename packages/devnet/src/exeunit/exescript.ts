/**
 * ExeScript wire types of the Activity API (activity-api.yaml, REQUESTOR-GUIDE §4), shaped as
 * yagna really sends them. These double as the API's DTOs.
 */

export { parseExeScript, validateExeScript } from './parseExeScript.js';

/** Output format of a capture. yagna also accepts the short forms `str` / `bin`. */
export type CaptureFormat = 'string' | 'binary' | 'str' | 'bin';

/** Which part of the output an `atEnd` capture keeps (bytes). */
export type CapturePart =
  { readonly head: number } | { readonly tail: number } | { readonly headTail: number };

/**
 * How `run` captures one output stream: at the end of the command (into the batch results) or
 * streamed (as `stdout`/`stderr` RuntimeEvents, and up to `limit` bytes into the results too).
 */
export type CaptureMode =
  | { readonly atEnd: { readonly part?: CapturePart; readonly format?: CaptureFormat } }
  | { readonly stream: { readonly limit?: number; readonly format?: CaptureFormat } };

/** Capture of the `run` command; a stream left out is discarded (`null` in results). */
export interface Capture {
  readonly stdout?: CaptureMode;
  readonly stderr?: CaptureMode;
}

/** Progress reporting options of `deploy` / `transfer` (enables `progress` RuntimeEvents). */
export interface ProgressArgs {
  readonly updateInterval?: string | null;
  readonly updateStep?: number | null;
}

/** A VPN network of `deploy`. */
export interface DeployNetwork {
  readonly id: string;
  readonly ip: string;
  readonly mask: string;
  readonly gateway?: string;
  readonly nodeIp?: string;
  readonly nodes?: Readonly<Record<string, string>>;
}

/** Body of `deploy`; every field is optional. */
export interface DeployCommandBody {
  readonly net?: readonly DeployNetwork[];
  readonly hosts?: Readonly<Record<string, string>>;
  readonly hostname?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly volumes?: Readonly<Record<string, unknown>> | readonly string[];
  readonly progress?: ProgressArgs;
}

/** Body of `start`. */
export interface StartCommandBody {
  readonly args?: readonly string[];
}

/**
 * Body of `run`. `entry_point` is snake_case on the wire. `env` is a devnet extension (not in
 * the spec): variables added to the deploy environment for this command only.
 */
export interface RunCommandBody {
  readonly entry_point: string;
  readonly args?: readonly string[];
  readonly capture?: Capture;
  readonly env?: Readonly<Record<string, string>>;
}

/** A file set of a multi-file transfer (GIP-PR0001). */
export interface FileSet {
  readonly desc?: string;
  readonly includes?: readonly string[];
  readonly excludes?: readonly string[];
}

/** Body of `transfer`: `from` and `to` are URLs (`container:`, `http(s):`, `data:`, `gftp:`). */
export interface TransferCommandBody {
  readonly from: string;
  readonly to: string;
  readonly format?: string;
  readonly depth?: number;
  readonly fileset?: readonly FileSet[];
  readonly progress?: ProgressArgs;
}

/** One ExeScript command: an object with exactly one key, the command's name. */
export type ExeScriptCommand =
  | { readonly deploy: DeployCommandBody }
  | { readonly start: StartCommandBody }
  | { readonly run: RunCommandBody }
  | { readonly transfer: TransferCommandBody }
  | { readonly sign: Readonly<Record<string, never>> }
  | { readonly terminate: Readonly<Record<string, never>> };

/** The name of an ExeScript command. */
export type ExeScriptCommandName = 'deploy' | 'start' | 'run' | 'transfer' | 'sign' | 'terminate';

/** Command output in a result or event: a string, or bytes for a binary capture. */
export type CommandOutput = string | number[];

/** A finished command as `GET /activity/{id}/exec/{batchId}` returns it (every field present). */
export interface ExeScriptCommandResult {
  readonly index: number;
  /** RFC 3339 UTC. */
  readonly eventDate: string;
  /** `Ok` iff the command's return code is 0. */
  readonly result: 'Ok' | 'Error';
  readonly stdout: CommandOutput | null;
  readonly stderr: CommandOutput | null;
  readonly message: string | null;
  /** True for the last awaited command, and for an `Error` (which ends the batch). */
  readonly isBatchFinished: boolean;
}

/** The command currently running (`GET /activity/{id}/command`). */
export interface ExeScriptCommandState {
  readonly batchId: string;
  readonly command: ExeScriptCommandName;
  readonly progress?: string;
  readonly params?: readonly string[];
}

/** Progress of a `deploy`/`transfer` with `progress` set. */
export interface RuntimeEventProgress {
  readonly step: readonly [number, number];
  readonly message: string | null;
  readonly progress: readonly [number, number | null];
  readonly unit: string | null;
}

/** What happened in a RuntimeEvent: exactly one key. */
export type RuntimeEventKind =
  | { readonly started: { readonly command: ExeScriptCommand } }
  | { readonly finished: { readonly return_code: number; readonly message: string | null } }
  | { readonly stdout: CommandOutput }
  | { readonly stderr: CommandOutput }
  | { readonly progress: RuntimeEventProgress };

/**
 * An event of the exec SSE stream (`event: runtime`), in yagna's real snake_case shape.
 * `timestamp` is a naive date-time without `Z` (`2022-06-23T10:42:38.626000000`).
 */
export interface RuntimeEvent {
  readonly batch_id: string;
  readonly index: number;
  readonly timestamp: string;
  readonly kind: RuntimeEventKind;
}

/** The activity states of the Activity API. */
export type ActivityStateName = 'New' | 'Initialized' | 'Deployed' | 'Ready' | 'Unresponsive' | 'Terminated';

/** `GET /activity/{id}/state`: `[current, next]` plus reason / error message when set. */
export interface ActivityState {
  readonly state: readonly [ActivityStateName, ActivityStateName | null];
  readonly reason?: string;
  readonly errorMessage?: string;
}

/** The name of an ExeScript command object (its single key). */
export function commandName(command: ExeScriptCommand): ExeScriptCommandName {
  return Object.keys(command)[0] as ExeScriptCommandName;
}
