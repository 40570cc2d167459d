import type { SchedulerLike } from 'rxjs';
import type { VirtualFs } from '../VirtualFs.js';

/**
 * What a command (a builtin or a user-registered handler) gets besides its arguments.
 * Output written here goes wherever the shell routes it (capture, a pipe, a file).
 */
export interface CommandContext {
  /** The name the command was invoked by (`argv[0]`). */
  readonly name: string;
  /** All of standard input (pipes are buffered: the previous command has finished). */
  readonly stdin: Uint8Array;
  /** The environment of this command (exported shell variables plus `NAME=value` prefixes). */
  readonly env: Readonly<Record<string, string>>;
  /** The shell's working directory. */
  readonly cwd: string;
  /** The activity's file system. */
  readonly fs: VirtualFs;
  /** Aborted when the activity is destroyed or crashes; pass it to anything that waits. */
  readonly signal: AbortSignal;
  /** The exe-unit's scheduler (use `scheduler.now()` for the simulated clock). */
  readonly scheduler: SchedulerLike;
  /** Writes to standard output. */
  stdout(chunk: string | Uint8Array): void;
  /** Writes to standard error. */
  stderr(chunk: string | Uint8Array): void;
  /** Waits `ms` of scheduler time; rejects when `signal` aborts. */
  sleep(ms: number): Promise<void>;
  /** Resolves a path against the working directory. */
  resolvePath(path: string): string;
  /** Runs another command (builtin, handler, script) with this command's I/O; returns its status. */
  exec(
    argv: readonly string[],
    options?: { env?: Readonly<Record<string, string>>; stdin?: Uint8Array },
  ): Promise<number>;
}

/**
 * A command of the simulated exe-unit: gets `argv[1..]` and a context, returns the exit status
 * (`undefined` means 0). A thrown error prints `name: message` on stderr and exits with 1.
 */
export type CommandHandler = (
  args: readonly string[],
  ctx: CommandContext,
) => number | void | Promise<number | void>;

/** Where output goes. */
export type Sink = (chunk: Uint8Array) => void;

/** Standard streams of a running command. */
export interface ShellIo {
  readonly stdin: Uint8Array;
  readonly stdout: Sink;
  readonly stderr: Sink;
}

/** Mutable state of one shell (a subshell gets a copy). */
export interface ShellState {
  readonly vars: Map<string, string>;
  readonly exported: Set<string>;
  cwd: string;
  positional: string[];
  arg0: string;
  /** `$?` */
  status: number;
  /** Set by `exit`: unwind and stop. */
  exit: boolean;
}

/** A new shell state with `env` as exported variables. */
export function newState(
  env: Readonly<Record<string, string>>,
  cwd: string,
  arg0 = 'sh',
  positional: string[] = [],
): ShellState {
  return {
    vars: new Map(Object.entries(env)),
    exported: new Set(Object.keys(env)),
    cwd,
    positional,
    arg0,
    status: 0,
    exit: false,
  };
}

/** A copy of `state` for a subshell. */
export function cloneState(state: ShellState): ShellState {
  return {
    ...state,
    vars: new Map(state.vars),
    exported: new Set(state.exported),
    positional: [...state.positional],
    exit: false,
  };
}

/** The exported variables of `state`, as an environment. */
export function exportedEnv(state: ShellState): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of state.exported) {
    const v = state.vars.get(name);
    if (v !== undefined) env[name] = v;
  }
  return env;
}

const encoder = new TextEncoder();

/** UTF-8 bytes of a string (bytes pass through). */
export function toBytes(chunk: string | Uint8Array): Uint8Array {
  return typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
}
