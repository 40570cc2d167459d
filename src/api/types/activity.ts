/** Activity API wire types (`/activity-api/v1`). */

/** Body of `POST /activity` (object form; the legacy bare-string form is also accepted by yagna). */
export interface CreateActivityRequestDto {
  agreementId: string;
  requestorPubKey?: string;
}

/** Response of `POST /activity` to the object form. */
export interface CreateActivityResultDto {
  activityId: string;
  credentials?: Record<string, unknown>;
}

/** Output format of a captured stream (Real also accepts `str`/`bin`). */
export type CaptureFormat = 'string' | 'binary';

/** `CaptureMode`: keep output until the end (optionally a part of it), or stream it as SSE events. */
export interface CaptureModeDto {
  atEnd?: { part?: { head?: number } | { tail?: number } | { headTail?: number }; format?: CaptureFormat };
  stream?: { limit?: number; format?: CaptureFormat };
}

/** Body of the `run` command. Without `capture` the output is discarded. */
export interface RunCommandBodyDto {
  entry_point: string;
  args?: string[];
  capture?: { stdout?: CaptureModeDto; stderr?: CaptureModeDto };
}

/** Body of the `transfer` command (`from`/`to` URLs with `container:`, `http(s):`, `gftp:` schemes). */
export interface TransferCommandBodyDto {
  from: string;
  to: string;
  format?: string;
  depth?: number;
  fileset?: { desc?: string; includes?: string[]; excludes?: string[] }[];
  progress?: { updateInterval?: string | null; updateStep?: number | null };
}

/** One ExeScript command: an object with exactly one key (REQUESTOR-GUIDE §4.3). */
export type ExeScriptCommandDto =
  | { deploy: Record<string, unknown> }
  | { start: { args?: string[] } }
  | { run: RunCommandBodyDto }
  | { transfer: TransferCommandBodyDto }
  | { sign: Record<string, never> }
  | { terminate: Record<string, never> };

/** Body of `POST /activity/{id}/exec`: `text` is a JSON-encoded array of ExeScript commands. */
export interface ExeScriptRequestDto {
  text: string;
}

export type ActivityStateName = 'New' | 'Initialized' | 'Deployed' | 'Ready' | 'Unresponsive' | 'Terminated';

/** `GET /activity/{id}/state`: `state` is `[current, next | null]`. */
export interface ActivityStateDto {
  state: [ActivityStateName, ActivityStateName | null];
  reason?: string;
  errorMessage?: string;
}

/** `GET /activity/{id}/usage`: counters in the order of `golem.com.usage.vector`; Unix seconds. */
export interface ActivityUsageDto {
  currentUsage?: number[];
  timestamp: number;
}

/** `ExeScriptCommandState` of `GET /activity/{id}/command`. */
export interface ExeScriptCommandStateDto {
  batchId: string;
  command: string;
  progress?: string;
  params?: string[];
}

/** `ExeScriptCommandResult` of `GET /activity/{id}/exec/{batchId}` (cumulative, Real serialises nulls). */
export interface ExeScriptCommandResultDto {
  index: number;
  eventDate: string;
  result: 'Ok' | 'Error';
  stdout: string | number[] | null;
  stderr: string | number[] | null;
  message: string | null;
  isBatchFinished: boolean;
}

/** The `kind` of a RuntimeEvent on the SSE stream (Real: snake_case). */
export type RuntimeEventKindDto =
  | { started: { command: Record<string, unknown> } }
  | { finished: { return_code: number; message: string | null } }
  | { stdout: string | number[] }
  | { stderr: string | number[] }
  | {
      progress: {
        step: [number, number];
        message: string | null;
        progress: [number, number | null];
        unit: string | null;
      };
    };

/** A RuntimeEvent as yagna streams it (`event: runtime`), with a naive timestamp (no `Z`). */
export interface RuntimeEventDto {
  batch_id: string;
  index: number;
  timestamp: string;
  kind: RuntimeEventKindDto;
}
