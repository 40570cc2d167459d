import type { SchedulerLike } from 'rxjs';
import type { GsbNetwork } from '../gsb/index.js';
import { CapturedOutput } from './capture.js';
import { commandName } from './exescript.js';
import type {
  ActivityStateName,
  DeployCommandBody,
  ExeScriptCommand,
  RunCommandBody,
  RuntimeEventKind,
  TransferCommandBody,
} from './exescript.js';
import { runProcess, type CommandOutcome } from './runProcess.js';
import { schedulerSleep } from './schedulerSleep.js';
import type { ShellHost } from './shell/interpreter.js';
import type { CommandHandler } from './shell/types.js';
import { runTransfer } from './transfer.js';
import { isTransferError } from './TransferError.js';
import type { VirtualFs } from './VirtualFs.js';

/** The exe-unit's state machine as the executor sees it. */
export interface UnitState {
  current(): ActivityStateName;
  transition(current: ActivityStateName, next?: ActivityStateName): void;
  setDeployEnv(env: Readonly<Record<string, string>>): void;
  terminate(): void;
}

/** Everything one command needs. */
export interface ExecuteContext {
  readonly unit: UnitState;
  readonly scheduler: SchedulerLike;
  readonly signal: AbortSignal;
  readonly fs: VirtualFs;
  readonly handlers: Readonly<Record<string, CommandHandler>>;
  readonly builtins: Readonly<Record<string, CommandHandler>>;
  /** Base environment plus the deploy `env`. */
  readonly env: Readonly<Record<string, string>>;
  readonly timing: { readonly deployMs?: number; readonly startMs?: number };
  readonly maxTransferBytes: number;
  /** The deploy hook (see `ExeUnitOptions.onDeploy`). */
  readonly onDeploy?: ((body: DeployCommandBody) => string | undefined) | undefined;
  /** The requestor's GSB services, for `gftp://` transfers. */
  readonly gsb?: GsbNetwork | undefined;
  emit(kind: RuntimeEventKind): void;
}

/** The directories a VM deploy creates. */
export const GOLEM_DIRS = ['/golem/input', '/golem/output', '/golem/work'] as const;

const OK: CommandOutcome = { returnCode: 0, stdout: null, stderr: null, message: null };

/**
 * Executes one ExeScript command against the exe-unit: state checks and transitions, deploy,
 * start, run (shell), transfer, sign, terminate. What each state accepts is yagna's exe-unit's
 * (`exe-unit/src/exe_unit.rs`, `exec_stateful`): `deploy` only in `Initialized`, `start` only in
 * `Deployed`, `run` and `transfer` only in `Ready` (executing as `[Ready, Ready]`); `sign` and
 * `terminate` in any state. A command in the wrong state is an `Error` outcome
 * (`Invalid state: …`), as yagna's exe-unit answers.
 */
export async function executeCommand(
  command: ExeScriptCommand,
  ctx: ExecuteContext,
): Promise<CommandOutcome> {
  const name = commandName(command);
  const need = (...allowed: ActivityStateName[]): CommandOutcome | undefined => {
    const current = ctx.unit.current();
    if (allowed.includes(current)) return undefined;
    const message = `Invalid state: '${name}' requires ${allowed.join(' or ')}, activity is ${current}`;
    return { returnCode: 1, stdout: null, stderr: null, message };
  };
  const wait = (ms: number | undefined): Promise<void> | undefined =>
    ms !== undefined && ms > 0 ? schedulerSleep(ctx.scheduler, ms, ctx.signal) : undefined;

  if ('deploy' in command) return need('Initialized') ?? deploy(command.deploy ?? {}, ctx, wait);
  if ('start' in command) {
    const refused = need('Deployed');
    if (refused !== undefined) return refused;
    ctx.unit.transition('Deployed', 'Ready');
    await wait(ctx.timing.startMs);
    ctx.unit.transition('Ready');
    return OK;
  }
  if ('run' in command) {
    const refused = need('Ready');
    if (refused !== undefined) return refused;
    return busy(ctx, () => run(command.run, ctx));
  }
  if ('transfer' in command) {
    const refused = need('Ready');
    if (refused !== undefined) return refused;
    return busy(ctx, () => transfer(command.transfer, ctx));
  }
  if ('terminate' in command) {
    ctx.unit.terminate();
    return OK;
  }
  return OK;
}

/** Runs a `run` or `transfer` as yagna does: the state is `[Ready, Ready]` while it executes. */
async function busy(ctx: ExecuteContext, execute: () => Promise<CommandOutcome>): Promise<CommandOutcome> {
  ctx.unit.transition('Ready', 'Ready');
  try {
    return await execute();
  } finally {
    ctx.unit.transition('Ready');
  }
}

function run(body: RunCommandBody, ctx: ExecuteContext): Promise<CommandOutcome> {
  const host: ShellHost = {
    fs: ctx.fs,
    signal: ctx.signal,
    scheduler: ctx.scheduler,
    sleep: (ms) => schedulerSleep(ctx.scheduler, ms, ctx.signal),
    lookup: (cmd) =>
      Object.hasOwn(ctx.handlers, cmd)
        ? ctx.handlers[cmd]
        : Object.hasOwn(ctx.builtins, cmd)
          ? ctx.builtins[cmd]
          : undefined,
  };
  return runProcess(body, {
    host,
    env: { ...ctx.env, ...body.env },
    cwd: ctx.fs.isDir('/golem/work') ? '/golem/work' : '/',
    emit: (stream, output) => ctx.emit(stream === 'stdout' ? { stdout: output } : { stderr: output }),
  });
}

async function transfer(body: TransferCommandBody, ctx: ExecuteContext): Promise<CommandOutcome> {
  try {
    await runTransfer(body, {
      fs: ctx.fs,
      signal: ctx.signal,
      maxBytes: ctx.maxTransferBytes,
      ...(ctx.gsb === undefined ? {} : { gsb: ctx.gsb }),
      onProgress:
        body.progress === undefined
          ? undefined
          : (done, total) =>
              ctx.emit({
                progress: { step: [0, 1], message: null, progress: [done, total], unit: 'Bytes' },
              }),
    });
  } catch (err) {
    if (!isTransferError(err) || ctx.signal.aborted) throw err;
    return { returnCode: 1, stdout: null, stderr: null, message: err.message };
  }
  return OK;
}

async function deploy(
  body: DeployCommandBody,
  ctx: ExecuteContext,
  wait: (ms: number | undefined) => Promise<void> | undefined,
): Promise<CommandOutcome> {
  const refused = ctx.onDeploy?.(body);
  if (refused !== undefined) return { returnCode: 1, stdout: null, stderr: null, message: refused };
  ctx.unit.transition('Initialized', 'Deployed');
  const progress = body.progress !== undefined && body.progress !== null;
  if (progress)
    ctx.emit({ progress: { step: [0, 1], message: 'Deploying image', progress: [0, null], unit: null } });
  await wait(ctx.timing.deployMs);
  const volumes: readonly string[] = isList(body.volumes) ? body.volumes : Object.keys(body.volumes ?? {});
  const paths = [...new Set<string>([...GOLEM_DIRS, ...volumes.filter((v) => v.startsWith('/'))])];
  for (const path of paths) ctx.fs.mkdir(path, { recursive: true });
  ctx.unit.setDeployEnv(body.env ?? {});
  ctx.unit.transition('Deployed');
  if (progress) ctx.emit({ progress: { step: [1, 1], message: 'Deployed', progress: [1, 1], unit: null } });
  const stdout = new CapturedOutput('all');
  const vols = paths.map((path, i) => ({ name: `vol-${i}`, path }));
  const text = JSON.stringify({ startMode: 'blocking', valid: { Ok: '' }, vols });
  const streamed = stdout.write(new TextEncoder().encode(text));
  if (streamed !== undefined) ctx.emit({ stdout: streamed });
  return { returnCode: 0, stdout: stdout.output(), stderr: null, message: null };
}

function isList(v: DeployCommandBody['volumes']): v is readonly string[] {
  return Array.isArray(v);
}
