/**
 * The commands a `WorkContext` collects, and how a batch of them becomes an ExeScript: transfers
 * get their URLs from the requestor's storage ({@link TransferStorage}; local paths checked first), `run`
 * gets its capture and environment.
 *
 * @module
 */
import type { ExeScriptCommandDto } from '../../api/types/index.js';
import type { IncomingTransfer, TransferStorage, TransferUrl } from '../../ports/storage.js';

/** The kind of a user command, as named in its {@link CommandResult}. */
export type CommandKind = 'run' | 'sendJson' | 'sendBytes' | 'sendFile' | 'downloadFile' | 'downloadBytes';

/** One collected command. */
export type PlannedCommand =
  | {
      readonly kind: 'run';
      readonly entryPoint: string;
      readonly args: readonly string[];
      readonly env: Readonly<Record<string, string>> | undefined;
      readonly timeout: number | undefined;
      readonly stream: boolean;
    }
  | { readonly kind: 'sendJson' | 'sendBytes'; readonly dst: string; readonly bytes: Uint8Array }
  | { readonly kind: 'sendFile'; readonly src: string; readonly dst: string }
  | { readonly kind: 'downloadFile'; readonly src: string; readonly dst: string }
  | { readonly kind: 'downloadBytes'; readonly src: string };

/** The result of one user command of a committed batch. */
export interface CommandResult {
  /** Its index among the commands of the commit (implicit deploy/start not counted). */
  readonly index: number;
  /** What it was. */
  readonly command: CommandKind;
  /** Its stdout as text, if captured. */
  readonly stdout: string | undefined;
  /** Its stderr as text, if captured. */
  readonly stderr: string | undefined;
  /** The exe-unit's message, if any. */
  readonly message: string | undefined;
  /** For `downloadBytes`: what was downloaded. */
  readonly bytes?: Uint8Array;
}

/** A batch ready to send. */
export interface PreparedBatch {
  /** The ExeScript, implicit deploy/start first when needed. */
  readonly script: ExeScriptCommandDto[];
  /** How many implicit commands precede the user's. */
  readonly offset: number;
  /** The user commands, in order. */
  readonly commands: readonly PlannedCommand[];
  /** Per script index: the command's timeout in ms. */
  readonly timeouts: ReadonlyArray<number | undefined>;
  /** Does any command stream its output? */
  readonly streams: boolean;
  /** Per user index: the downloads whose data must arrive. */
  readonly incoming: ReadonlyMap<number, IncomingTransfer<Uint8Array> | IncomingTransfer<void>>;
  /** Withdraws every URL of the batch. */
  close(): void;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Checks `env` names. @throws {RangeError} on a name a shell could not take */
export function checkEnv(env: Readonly<Record<string, string>> | undefined): void {
  for (const name of Object.keys(env ?? {})) {
    if (!ENV_NAME.test(name))
      throw new RangeError(`run: invalid environment variable name ${JSON.stringify(name)}`);
  }
}

function container(path: string): string {
  return `container:${path}`;
}

function runCommand(command: Extract<PlannedCommand, { kind: 'run' }>): ExeScriptCommandDto {
  const format = 'string' as const;
  const mode = command.stream ? { stream: { format } } : { atEnd: { format } };
  const env = Object.entries(command.env ?? {});
  // The environment rides on `/usr/bin/env NAME=VALUE cmd args…`: honoured by every VM image,
  // whereas ExeScript's `run` has no environment of its own.
  const [entry, args] =
    env.length === 0
      ? [command.entryPoint, [...command.args]]
      : ['/usr/bin/env', [...env.map(([k, v]) => `${k}=${v}`), command.entryPoint, ...command.args]];
  return { run: { entry_point: entry, args, capture: { stdout: mode, stderr: mode } } };
}

/**
 * Turns `commands` into a batch: publishes uploads and opens download URLs on `storage` (checking
 * local paths first: on a `LocalPathError` every URL opened so far is withdrawn and nothing is
 * sent), and prepends deploy/start when the activity is not started yet.
 */
export async function prepareBatch(
  commands: readonly PlannedCommand[],
  storage: TransferStorage,
  started: boolean,
): Promise<PreparedBatch> {
  const opened: TransferUrl[] = [];
  const incoming = new Map<number, IncomingTransfer<Uint8Array> | IncomingTransfer<void>>();
  const close = (): void => {
    for (const url of opened) url.close();
  };
  const script: ExeScriptCommandDto[] = started ? [] : [{ deploy: {} }, { start: {} }];
  const offset = script.length;
  const timeouts: Array<number | undefined> = script.map(() => undefined);
  try {
    for (const [index, command] of commands.entries()) {
      let dto: ExeScriptCommandDto;
      switch (command.kind) {
        case 'run':
          dto = runCommand(command);
          break;
        case 'sendJson':
        case 'sendBytes': {
          const url = await storage.publishBytes(command.bytes);
          opened.push(url);
          dto = { transfer: { from: url.url, to: container(command.dst) } };
          break;
        }
        case 'sendFile': {
          const url = await storage.publishFile(command.src);
          opened.push(url);
          dto = { transfer: { from: url.url, to: container(command.dst) } };
          break;
        }
        case 'downloadFile': {
          const url = await storage.receiveFile(command.dst);
          opened.push(url);
          incoming.set(index, url);
          dto = { transfer: { from: container(command.src), to: url.url } };
          break;
        }
        case 'downloadBytes': {
          const url = await storage.receiveBytes();
          opened.push(url);
          incoming.set(index, url);
          dto = { transfer: { from: container(command.src), to: url.url } };
          break;
        }
      }
      script.push(dto);
      timeouts.push(command.kind === 'run' ? command.timeout : undefined);
    }
  } catch (error: unknown) {
    close();
    throw error;
  }
  const streams = commands.some((c) => c.kind === 'run' && c.stream);
  return { script, offset, commands, timeouts, streams, incoming, close };
}

/** Text of a captured stream (`null` → `undefined`; bytes decoded as UTF-8). */
export function textOf(output: string | readonly number[] | null | undefined): string | undefined {
  if (output === null || output === undefined) return undefined;
  return typeof output === 'string' ? output : new TextDecoder().decode(new Uint8Array(output));
}
