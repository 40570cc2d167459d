/**
 * What every command gets: the global options, the printer, a lazily created yagna client, the
 * CLI session of that yagna identity, and the interrupt signal.
 */
import type { Command } from 'commander';
import { createYagnaApi, type YagnaApi } from 'golem-rx';
import type { IdentityDto } from 'golem-rx';
import type { CliContext } from './context.js';
import { displayUrl, type ErrorSite } from './errors.js';
import { Output } from './output.js';
import { CliSession, sessionFilePath } from './session.js';

/** The options every command accepts (before or after its name). */
export interface GlobalOptions {
  /** `--api-url`, else `YAGNA_API_URL`, else `http://127.0.0.1:7465`. */
  readonly apiUrl: string | undefined;
  /** `--app-key`, else `YAGNA_APPKEY`. */
  readonly appKey: string | undefined;
  /** `--json` */
  readonly json: boolean;
  /** `--debug`: stack traces on errors. */
  readonly debug: boolean;
  /** `false` with `--no-color`. */
  readonly color: boolean;
}

/** Reads the global options from commander's merged options. */
export function readGlobals(options: Record<string, unknown>): GlobalOptions {
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
  return {
    apiUrl: text(options.apiUrl),
    appKey: text(options.appKey),
    json: options.json === true,
    debug: options.debug === true,
    color: options.color !== false,
  };
}

const NEVER = new AbortController().signal;

/** The world of one command. */
export class CommandRuntime {
  /** The printer. */
  readonly out: Output;
  /** Aborted on Ctrl-C / SIGTERM. */
  readonly interrupt: AbortSignal;
  private client: YagnaApi | undefined;
  private me: Promise<IdentityDto> | undefined;

  constructor(
    /** The injected streams and environment. */
    readonly ctx: CliContext,
    /** The global options. */
    readonly globals: GlobalOptions,
  ) {
    this.out = new Output(ctx, { json: globals.json, color: globals.color });
    this.interrupt = ctx.interrupt ?? NEVER;
  }

  /**
   * The yagna client (created at the first call).
   * @throws YagnaArgumentError on an invalid `--api-url`
   */
  api(): YagnaApi {
    this.client ??= createYagnaApi(
      { url: this.globals.apiUrl, appKey: this.globals.appKey, timeoutMs: 15_000, retry: { limit: 1 } },
      this.ctx.env,
    );
    return this.client;
  }

  /** The identity behind the app key (`GET /me`, asked once). */
  identity(): Promise<IdentityDto> {
    this.me ??= this.api().identity.getIdentity({ signal: this.interrupt });
    return this.me;
  }

  /** This CLI's session for the current yagna and identity (see `docs/cli.md`). */
  async session(): Promise<CliSession> {
    const { identity } = await this.identity();
    return CliSession.open(
      sessionFilePath(this.ctx.env),
      `${displayUrl(this.api().config.apiUrl)} ${identity}`,
    );
  }

  /** What error messages may name and must hide. */
  errorSite(): ErrorSite {
    const secrets = [this.globals.appKey, this.ctx.env.YAGNA_APPKEY];
    if (this.client !== undefined) {
      return {
        apiUrl: this.client.config.apiUrl,
        hasAppKey: this.client.config.appKey !== undefined,
        secrets,
      };
    }
    const envUrl = this.ctx.env.YAGNA_API_URL;
    return { apiUrl: this.globals.apiUrl ?? (envUrl === '' ? undefined : envUrl), secrets };
  }
}

/** The state of one run that the program's actions share with `runCli`. */
export interface RunState {
  /** The runtime of the command that ran, for error messages. */
  runtime: CommandRuntime | undefined;
  /** The exit code the command asked for. */
  exitCode: number;
}

/** A command's body: receives the runtime, its own options and its parsed arguments. */
export type CommandBody<O> = (
  rt: CommandRuntime,
  options: O,
  args: readonly unknown[],
) => Promise<number | void>;

/**
 * Wraps a command body as a commander action: builds the runtime from the merged global
 * options, runs the body, records its exit code.
 *
 * @param ctx the injected world
 * @param state shared with `runCli`
 * @param body the command
 */
export function action<O>(ctx: CliContext, state: RunState, body: CommandBody<O>) {
  return async (...params: unknown[]): Promise<void> => {
    const command = params[params.length - 1] as Command;
    const runtime = new CommandRuntime(ctx, readGlobals(command.optsWithGlobals()));
    state.runtime = runtime;
    const code = await body(runtime, command.opts() as O, command.processedArgs as unknown[]);
    state.exitCode = code ?? 0;
  };
}
