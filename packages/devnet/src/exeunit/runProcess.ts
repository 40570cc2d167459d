import { CapturedOutput } from './capture.js';
import type { CommandOutput, RunCommandBody } from './exescript.js';
import { Interpreter, type ShellHost } from './shell/interpreter.js';
import { newState, type Sink } from './shell/types.js';

/** How a command ended. */
export interface CommandOutcome {
  readonly returnCode: number;
  readonly stdout: CommandOutput | null;
  readonly stderr: CommandOutput | null;
  readonly message: string | null;
}

/** What running a `run` command needs. */
export interface RunProcessOptions {
  readonly host: ShellHost;
  /** The environment (deploy `env` plus the run's own). */
  readonly env: Readonly<Record<string, string>>;
  /** The working directory. */
  readonly cwd: string;
  /** Emits a chunk of streamed output as a RuntimeEvent. */
  emit(stream: 'stdout' | 'stderr', output: CommandOutput): void;
}

/**
 * Runs the entry point of a `run` command in the simulated shell, capturing stdout/stderr per
 * the command's `capture`. A non-zero exit status gives the message
 * `ExeScript command exited with code N` (or the message of an error a handler threw).
 */
export async function runProcess(body: RunCommandBody, options: RunProcessOptions): Promise<CommandOutcome> {
  const stdout = new CapturedOutput(body.capture?.stdout);
  const stderr = new CapturedOutput(body.capture?.stderr);
  const signal = options.host.signal;
  const sink =
    (capture: CapturedOutput, stream: 'stdout' | 'stderr'): Sink =>
    (chunk) => {
      if (signal.aborted) return;
      const streamed = capture.write(chunk);
      if (streamed !== undefined) options.emit(stream, streamed);
    };
  const interpreter = new Interpreter(options.host);
  const argv = [body.entry_point, ...(body.args ?? [])];
  const state = newState(
    options.env,
    options.cwd,
    body.entry_point,
    body.args === undefined ? [] : [...body.args],
  );
  const returnCode = await interpreter.runArgv(argv, state, {
    stdin: new Uint8Array(0),
    stdout: sink(stdout, 'stdout'),
    stderr: sink(stderr, 'stderr'),
  });
  const message =
    returnCode === 0 ? null : (interpreter.failures[0] ?? `ExeScript command exited with code ${returnCode}`);
  return { returnCode, stdout: stdout.output(), stderr: stderr.output(), message };
}
