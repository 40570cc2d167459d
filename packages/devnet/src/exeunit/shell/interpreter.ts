import type { SchedulerLike } from 'rxjs';
import { VirtualFs } from '../VirtualFs.js';
import { isVirtualFsError } from '../VirtualFsError.js';
import { concat } from '../capture.js';
import { expandString, expandWords, type ExpandContext } from './expand.js';
import { parseScript, type Command, type List, type Pipeline } from './parser.js';
import { applyRedirects } from './redirect.js';
import { isShellError } from './ShellError.js';
import {
  cloneState,
  exportedEnv,
  newState,
  toBytes,
  type CommandContext,
  type CommandHandler,
  type ShellIo,
  type ShellState,
  type Sink,
} from './types.js';

/** What the interpreter needs from its exe-unit. */
export interface ShellHost {
  readonly fs: VirtualFs;
  readonly signal: AbortSignal;
  readonly scheduler: SchedulerLike;
  sleep(ms: number): Promise<void>;
  /** The handler for a command name (user handlers first, then builtins), by exact name. */
  lookup(name: string): CommandHandler | undefined;
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash']);
const BIN_DIRS = new Set(['/bin', '/usr/bin', '/usr/local/bin', '/sbin', '/usr/sbin', '/usr/local/sbin']);

/**
 * Runs scripts of the simulated POSIX-ish shell against a {@link ShellHost}. Pipelines are
 * buffered (each command finishes before the next reads its output). See docs/devnet-shell.md.
 */
export class Interpreter {
  /** Messages of errors thrown by handlers during this interpreter's runs, first first. */
  readonly failures: string[] = [];

  constructor(private readonly host: ShellHost) {}

  /** Parses and runs a script in `state`; a syntax error prints `sh: …` and returns 2. */
  async runScript(script: string, state: ShellState, io: ShellIo): Promise<number> {
    let list: List;
    try {
      list = parseScript(script);
    } catch (err) {
      return this.report(err, state, io);
    }
    const status = await this.runList(list, state, io);
    state.status = status;
    return status;
  }

  /** Runs one command line given as argv (the `run` command's entry point and args). */
  async runArgv(argv: readonly string[], state: ShellState, io: ShellIo): Promise<number> {
    const status = await this.invoke(argv, exportedEnv(state), state, io);
    state.status = status;
    return status;
  }

  private async runList(list: List, state: ShellState, io: ShellIo): Promise<number> {
    let status = 0;
    for (const item of list.items) {
      if (state.exit || this.host.signal.aborted) break;
      status = await this.runPipeline(item.first, state, io);
      for (const { op, pipeline } of item.rest) {
        if (state.exit) break;
        if ((op === '&&') === (status === 0)) status = await this.runPipeline(pipeline, state, io);
      }
      state.status = status;
    }
    return status;
  }

  private async runPipeline(p: Pipeline, state: ShellState, io: ShellIo): Promise<number> {
    let status: number;
    if (p.commands.length === 1) {
      status = await this.runCommand(p.commands[0]!, state, io);
    } else {
      let input = io.stdin;
      status = 0;
      for (const [i, command] of p.commands.entries()) {
        const last = i === p.commands.length - 1;
        const buffer: Uint8Array[] = [];
        const stdout: Sink = last ? io.stdout : (chunk) => buffer.push(chunk);
        status = await this.runCommand(command, cloneState(state), {
          stdin: input,
          stdout,
          stderr: io.stderr,
        });
        if (this.host.signal.aborted) break;
        input = concat(buffer);
      }
    }
    state.status = p.negate ? (status === 0 ? 1 : 0) : status;
    return state.status;
  }

  private async runCommand(c: Command, state: ShellState, io: ShellIo): Promise<number> {
    try {
      switch (c.type) {
        case 'simple': {
          const ctx = this.expandContext(state, io);
          const argv = await expandWords(c.words, ctx);
          const redirected = await applyRedirects(this.host.fs, c.redirects, ctx, io);
          if (argv.length === 0) {
            for (const a of c.assigns) state.vars.set(a.name, await expandString(a.value, ctx));
            return ctx.substitutions > 0 ? state.status : 0;
          }
          const env = exportedEnv(state);
          for (const a of c.assigns) env[a.name] = await expandString(a.value, ctx);
          return await this.invoke(argv, env, state, redirected);
        }
        case 'group': {
          const inner = c.subshell ? cloneState(state) : state;
          return await this.runList(
            c.body,
            inner,
            await applyRedirects(this.host.fs, c.redirects, this.expandContext(state, io), io),
          );
        }
        case 'if': {
          const redirected = await applyRedirects(
            this.host.fs,
            c.redirects,
            this.expandContext(state, io),
            io,
          );
          for (const clause of c.clauses) {
            const cond = await this.runList(clause.cond, state, redirected);
            if (state.exit) return cond;
            if (cond === 0) return await this.runList(clause.body, state, redirected);
          }
          return c.elseBody === undefined ? 0 : await this.runList(c.elseBody, state, redirected);
        }
        case 'for': {
          const items =
            c.words === undefined
              ? [...state.positional]
              : await expandWords(c.words, this.expandContext(state, io));
          let status = 0;
          for (const item of items) {
            if (state.exit || this.host.signal.aborted) break;
            state.vars.set(c.name, item);
            status = await this.runList(c.body, state, io);
            await this.yieldSometimes();
          }
          return status;
        }
        case 'while': {
          let status = 0;
          for (;;) {
            const cond = await this.runList(c.cond, state, io);
            if (state.exit || this.host.signal.aborted || (cond === 0) === c.until) break;
            status = await this.runList(c.body, state, io);
            if (state.exit) break;
            await this.yieldSometimes();
          }
          return status;
        }
      }
    } catch (err) {
      return this.report(err, state, io);
    }
  }

  private report(err: unknown, state: ShellState, io: ShellIo): number {
    if (this.host.signal.aborted) throw err;
    if (isShellError(err)) {
      io.stderr(toBytes(`sh: ${err.message}\n`));
      state.status = err.status;
      if (err.status === 2) state.exit = true;
      return err.status;
    }
    if (isVirtualFsError(err)) {
      io.stderr(toBytes(`sh: ${err.message}\n`));
      state.status = 1;
      return 1;
    }
    throw err;
  }

  private iterations = 0;

  /** Lets the event loop breathe in long loops that never wait (`while true; do :; done`). */
  private async yieldSometimes(): Promise<void> {
    if (++this.iterations % 1000 === 0) await this.host.sleep(0);
  }

  private expandContext(state: ShellState, io: ShellIo): ExpandContext & { readonly substitutions: number } {
    let substitutions = 0;
    const substitute = async (script: string): Promise<string> => {
      substitutions++;
      const out: Uint8Array[] = [];
      const stdout: Sink = (c) => out.push(c);
      state.status = await this.runScript(script, cloneState(state), {
        stdin: io.stdin,
        stdout,
        stderr: io.stderr,
      });
      return new TextDecoder().decode(concat(out));
    };
    return {
      state,
      fs: this.host.fs,
      substitute,
      get substitutions() {
        return substitutions;
      },
    };
  }

  /** Runs argv[0] with argv[1..]: a shell builtin, a handler/builtin, or a script file. */
  private async invoke(
    argv: readonly string[],
    env: Record<string, string>,
    state: ShellState,
    io: ShellIo,
  ): Promise<number> {
    const [name, ...args] = argv as [string, ...string[]];
    const special = await this.special(name, args, env, state, io);
    if (special !== undefined) return special;
    const handler = this.resolve(name);
    if (handler !== undefined) return this.call(name, handler, args, env, state, io);
    const path = VirtualFs.resolve(name, state.cwd);
    if (name.includes('/') && this.host.fs.isFile(path)) {
      const script = this.host.fs.readText(path);
      return this.runScript(script, newState(env, state.cwd, name, args), io);
    }
    if (name.includes('/') && this.host.fs.isDir(path)) {
      io.stderr(toBytes(`sh: ${name}: Permission denied\n`));
      return 126;
    }
    io.stderr(toBytes(`sh: ${name}: not found\n`));
    return 127;
  }

  /** Builtins that need the shell itself. */
  private async special(
    name: string,
    args: string[],
    env: Record<string, string>,
    state: ShellState,
    io: ShellIo,
  ): Promise<number | undefined> {
    const base = this.binName(name);
    if (base !== undefined && SHELLS.has(base) && this.host.lookup(name) === undefined) {
      if (args[0] === '-c') {
        const [, script = '', arg0 = base, ...rest] = args;
        return this.runScript(script, newState(env, state.cwd, arg0, rest), io);
      }
      if (args[0] === undefined)
        return this.runScript(new TextDecoder().decode(io.stdin), newState(env, state.cwd, base), io);
      const file = VirtualFs.resolve(args[0], state.cwd);
      if (!this.host.fs.isFile(file)) {
        io.stderr(toBytes(`${base}: ${args[0]}: No such file or directory\n`));
        return 127;
      }
      return this.runScript(
        this.host.fs.readText(file),
        newState(env, state.cwd, args[0], args.slice(1)),
        io,
      );
    }
    switch (name) {
      case 'cd': {
        const target = VirtualFs.resolve(args[0] ?? state.vars.get('HOME') ?? '/', state.cwd);
        if (!this.host.fs.isDir(target)) {
          io.stderr(toBytes(`sh: cd: ${args[0] ?? target}: No such file or directory\n`));
          return 1;
        }
        state.cwd = target;
        state.vars.set('PWD', target);
        return 0;
      }
      case 'export':
      case 'unset':
        for (const arg of args) {
          const eq = arg.indexOf('=');
          const key = eq < 0 ? arg : arg.slice(0, eq);
          if (name === 'unset') {
            state.vars.delete(key);
            state.exported.delete(key);
          } else {
            if (eq >= 0) state.vars.set(key, arg.slice(eq + 1));
            state.exported.add(key);
          }
        }
        return 0;
      case 'exit': {
        const code = args[0] === undefined ? state.status : Number.parseInt(args[0], 10);
        state.exit = true;
        return Number.isNaN(code) ? 2 : ((code % 256) + 256) % 256;
      }
      case 'eval':
        return this.runScript(args.join(' '), state, io);
      case '.':
      case 'source': {
        const file = VirtualFs.resolve(args[0] ?? '', state.cwd);
        return this.runScript(this.host.fs.readText(file), state, io);
      }
      case 'exec':
        return args.length === 0 ? 0 : this.invoke(args, env, state, io);
      default:
        return undefined;
    }
  }

  /** The handler for `name`: exact name first, then the basename of a path in a bin directory. */
  private resolve(name: string): CommandHandler | undefined {
    const exact = this.host.lookup(name);
    if (exact !== undefined || !name.includes('/')) return exact;
    const base = this.binName(name);
    return base === undefined || base === name ? undefined : this.host.lookup(base);
  }

  private binName(name: string): string | undefined {
    if (!name.includes('/')) return name;
    const slash = name.lastIndexOf('/');
    return BIN_DIRS.has(name.slice(0, slash)) ? name.slice(slash + 1) : undefined;
  }

  private async call(
    name: string,
    handler: CommandHandler,
    args: readonly string[],
    env: Record<string, string>,
    state: ShellState,
    io: ShellIo,
  ): Promise<number> {
    const ctx: CommandContext = {
      name,
      stdin: io.stdin,
      env: Object.freeze({ ...env }),
      cwd: state.cwd,
      fs: this.host.fs,
      signal: this.host.signal,
      scheduler: this.host.scheduler,
      stdout: (chunk) => io.stdout(toBytes(chunk)),
      stderr: (chunk) => io.stderr(toBytes(chunk)),
      sleep: (ms) => this.host.sleep(ms),
      resolvePath: (p) => VirtualFs.resolve(p, state.cwd),
      exec: (argv, options) =>
        argv.length === 0
          ? Promise.resolve(0)
          : this.invoke(argv, { ...env, ...options?.env }, state, {
              ...io,
              stdin: options?.stdin ?? io.stdin,
            }),
    };
    try {
      const status = await handler(args, ctx);
      return typeof status === 'number' ? status : 0;
    } catch (err) {
      if (this.host.signal.aborted) throw err;
      const message = err instanceof Error ? err.message : String(err);
      this.failures.push(`${name}: ${message}`);
      io.stderr(toBytes(`${name}: ${message}\n`));
      return 1;
    }
  }
}
