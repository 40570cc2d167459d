/**
 * One-line errors for the command line: every failure becomes `golem-rx: <message>` on stderr and
 * an exit code; the stack trace only with `--debug`; the app key never.
 */
import { inspect } from 'node:util';
import { redactText } from 'golem-rx';
import { isGolemRxError } from 'golem-rx';
import { isYagnaArgumentError } from 'golem-rx';
import { isYagnaError, type YagnaError } from 'golem-rx';
import { isYagnaGoneError } from 'golem-rx';
import { isYagnaNetworkError } from 'golem-rx';
import { isYagnaNotFoundError } from 'golem-rx';
import { isYagnaTimeoutError } from 'golem-rx';
import { isYagnaUnauthorizedError } from 'golem-rx';
import { isDevnetConfigError } from '@golem-rx/devnet';
import { isCliCommandError } from './CliCommandError.js';
import { isCliUsageError } from './CliUsageError.js';

/** Exit codes of `golem-rx`. */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** The command failed (yagna said no, an id is unknown, yagna is unreachable, the app key is wrong). */
  failure: 1,
  /** The command line was wrong (a malformed flag or argument, `--yes` needed). */
  usage: 2,
  /** Interrupted (Ctrl-C) before it could finish, e.g. at a confirmation prompt. */
  interrupted: 130,
} as const;

/** Where an error happened, for its message: the yagna it talked to and what to keep secret. */
export interface ErrorSite {
  /** The API root, shown in "cannot reach" messages (its query string is dropped). */
  readonly apiUrl?: string;
  /** Whether an app key was configured (for the 401 message). */
  readonly hasAppKey?: boolean;
  /** Secrets to mask wherever they appear (the app key). */
  readonly secrets: readonly (string | undefined)[];
}

/** An error as the command line reports it. */
export interface ErrorReport {
  /** The exit code. */
  readonly exitCode: number;
  /** One line, without the `golem-rx: ` prefix. */
  readonly message: string;
}

const ID_KINDS: Readonly<Record<string, string>> = {
  allocationId: 'allocation',
  invoiceId: 'invoice',
  debitNoteId: 'debit note',
  subscriptionId: 'demand',
  agreementId: 'agreement',
  activityId: 'activity',
  proposalId: 'proposal',
  paymentId: 'payment',
};

/** `http://host:port/path` of an API root, without credentials or query string. */
export function displayUrl(url: string | undefined): string {
  if (url === undefined) return 'yagna';
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
  } catch {
    // Not a URL (the client refuses it with its own error): a neutral name, never the raw text.
    return 'the configured --api-url';
  }
}

function subject(err: YagnaError): string | undefined {
  const entries = Object.entries(err.params);
  const [key, id] = entries[entries.length - 1] ?? [];
  if (key === undefined || id === undefined) return undefined;
  return `${ID_KINDS[key] ?? key} ${id}`;
}

function describeYagna(err: YagnaError, site: ErrorSite): ErrorReport {
  const where = displayUrl(site.apiUrl);
  const failure = (message: string): ErrorReport => ({ exitCode: EXIT.failure, message });
  if (isYagnaArgumentError(err)) {
    const flag = err.argument === 'url' ? '--api-url' : err.argument;
    return { exitCode: EXIT.usage, message: `invalid ${flag}: ${err.message}` };
  }
  if (isYagnaNetworkError(err)) {
    const code = err.code === undefined ? '' : ` (${err.code})`;
    return failure(`cannot reach yagna at ${where}${code}: is it running? (set --api-url or YAGNA_API_URL)`);
  }
  if (isYagnaUnauthorizedError(err)) {
    return failure(
      site.hasAppKey === false
        ? `yagna at ${where} needs an app key: pass --app-key or set YAGNA_APPKEY`
        : `yagna at ${where} rejected the app key${err.yagnaMessage === undefined ? '' : ` (${err.yagnaMessage})`}`,
    );
  }
  if (isYagnaTimeoutError(err) && err.clientSide) {
    return failure(`yagna at ${where} did not answer within ${Math.round((err.timeoutMs ?? 0) / 1000)} s`);
  }
  const what = subject(err);
  if (isYagnaNotFoundError(err) && what !== undefined) return failure(`${what} not found`);
  if (isYagnaGoneError(err) && what !== undefined) {
    return failure(`${what} is gone${err.yagnaMessage === undefined ? '' : `: ${err.yagnaMessage}`}`);
  }
  if (err.status !== undefined && err.yagnaMessage !== undefined) {
    return failure(
      `yagna refused${what === undefined ? '' : ` (${what})`}: ${err.yagnaMessage} [${err.status}]`,
    );
  }
  return failure(err.message);
}

/**
 * Turns anything thrown by a command into its exit code and a one-line message with every secret
 * masked.
 *
 * @param err what was thrown
 * @param site the yagna in use and the secrets to mask
 * @returns the exit code and the message (no prefix, no newline)
 */
export function describeCliError(err: unknown, site: ErrorSite): ErrorReport {
  let report: ErrorReport;
  if (isCliUsageError(err) || isDevnetConfigError(err))
    report = { exitCode: EXIT.usage, message: err.message };
  else if (isCliCommandError(err)) report = { exitCode: err.exitCode, message: err.message };
  else if (isYagnaError(err)) report = describeYagna(err, site);
  else if (isGolemRxError(err)) report = { exitCode: EXIT.failure, message: err.message };
  else {
    const message = err instanceof Error ? err.message : String(err);
    report = { exitCode: EXIT.failure, message: `internal error: ${message} (run with --debug for details)` };
  }
  return { exitCode: report.exitCode, message: oneLine(redactText(report.message, site.secrets)) };
}

/**
 * The stack trace and cause chain of an error, secrets masked: what `--debug` adds.
 * @param err what was thrown
 * @param secrets what to mask
 */
export function debugDetails(err: unknown, secrets: readonly (string | undefined)[]): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    const text =
      current instanceof Error ? (current.stack ?? `${current.name}: ${current.message}`) : inspect(current);
    parts.push(depth === 0 ? text : `Caused by: ${text}`);
    current = current instanceof Error ? current.cause : undefined;
  }
  return redactText(parts.join('\n'), secrets);
}

/** Collapses whitespace runs with newlines into single spaces. */
export function oneLine(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
}
