/**
 * Mapping yagna's answers and transport failures to typed errors, with secrets scrubbed.
 */
import { YagnaBadRequestError } from './errors/YagnaBadRequestError.js';
import { YagnaConflictError } from './errors/YagnaConflictError.js';
import { YagnaError, type YagnaErrorContext } from './errors/YagnaError.js';
import { YagnaForbiddenError } from './errors/YagnaForbiddenError.js';
import { YagnaGoneError } from './errors/YagnaGoneError.js';
import { YagnaNetworkError } from './errors/YagnaNetworkError.js';
import { YagnaNotFoundError } from './errors/YagnaNotFoundError.js';
import { YagnaNotImplementedError } from './errors/YagnaNotImplementedError.js';
import { YagnaServerError } from './errors/YagnaServerError.js';
import { YagnaTimeoutError } from './errors/YagnaTimeoutError.js';
import { YagnaUnauthorizedError } from './errors/YagnaUnauthorizedError.js';
import { errorCode, redactText, scrubError } from './scrub.js';

/** Where an error happened: the operation and its ids. */
export interface CallSite {
  /** `METHOD /base/path/{template}` */
  readonly endpoint: string;
  /** Path parameters. */
  readonly params: Readonly<Record<string, string>>;
  /** Secrets to mask in anything that goes into the error. */
  readonly secrets: readonly string[];
}

const MAX_MESSAGE = 500;

/** A body as read from the wire: parsed JSON when it parses, else the raw text. */
export interface ReadBody {
  /** True when the text was empty. */
  readonly empty: boolean;
  /** True when the text parsed as JSON. */
  readonly isJson: boolean;
  /** Parsed JSON (when `isJson`), the raw text otherwise, `undefined` when empty. */
  readonly value: unknown;
}

/** Parses a response text: empty, JSON (including a bare string or `null`), or plain text. */
export function readBody(text: string): ReadBody {
  if (text.trim() === '') return { empty: true, isJson: false, value: undefined };
  try {
    return { empty: false, isJson: true, value: JSON.parse(text) as unknown };
  } catch {
    // Not JSON: a text body (yagna's text/plain 401s), kept as the raw text.
    return { empty: false, isJson: false, value: text };
  }
}

/**
 * yagna's message in an error body: `ErrorMessage.message` (absent or `null` gives `undefined`),
 * a bare JSON string, or a text/plain body (Real 401s) — trimmed and capped at 500 characters.
 */
export function yagnaMessageOf(body: ReadBody): string | undefined {
  let message: string | undefined;
  if (body.isJson) {
    const value = body.value;
    if (typeof value === 'string') message = value;
    else if (typeof value === 'object' && value !== null && 'message' in value) {
      const m = (value as { message?: unknown }).message;
      message = typeof m === 'string' ? m : undefined;
    }
  } else if (typeof body.value === 'string') {
    message = body.value;
  }
  message = message?.trim();
  if (message === undefined || message === '') return undefined;
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message;
}

function describe(site: CallSite): string {
  const ids = Object.entries(site.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return ids === '' ? site.endpoint : `${site.endpoint} (${ids})`;
}

/** The typed error for a non-2xx answer. */
export function errorFromResponse(
  status: number,
  body: ReadBody,
  site: CallSite,
  hasAppKey: boolean,
): YagnaError {
  const raw = yagnaMessageOf(body);
  const yagnaMessage = raw === undefined ? undefined : redactText(raw, site.secrets);
  let message = redactText(
    `${describe(site)} failed with ${status}${yagnaMessage === undefined ? '' : `: ${yagnaMessage}`}`,
    site.secrets,
  );
  if (status === 401 && !hasAppKey) message += ' (no app key configured: pass appKey or set YAGNA_APPKEY)';
  const context: YagnaErrorContext = { endpoint: site.endpoint, status, yagnaMessage, params: site.params };
  switch (status) {
    case 400:
      return new YagnaBadRequestError(message, context);
    case 401:
      return new YagnaUnauthorizedError(message, context);
    case 403:
      return new YagnaForbiddenError(message, context);
    case 404:
      return new YagnaNotFoundError(message, context);
    case 408:
    case 504:
      return new YagnaTimeoutError(message, context);
    case 409:
      return new YagnaConflictError(message, context);
    case 410:
      return new YagnaGoneError(message, context);
    case 501:
      return new YagnaNotImplementedError(message, context);
    default:
      return status >= 500 ? new YagnaServerError(message, context) : new YagnaError(message, context);
  }
}

/** The error for a call that got no answer within the client timeout. */
export function clientTimeoutError(site: CallSite, timeoutMs: number): YagnaTimeoutError {
  return new YagnaTimeoutError(`${describe(site)}: no answer within ${timeoutMs} ms (client timeout)`, {
    endpoint: site.endpoint,
    params: site.params,
    timeoutMs,
  });
}

/** The error for a transport failure (no HTTP answer, or the body stream broke). */
export function networkError(site: CallSite, err: unknown): YagnaNetworkError {
  const cause = scrubError(err, site.secrets);
  const code = errorCode(cause);
  const detail = code === undefined ? cause.message : `${cause.message} (${code})`;
  return new YagnaNetworkError(redactText(`${describe(site)}: network failure: ${detail}`, site.secrets), {
    endpoint: site.endpoint,
    params: site.params,
    cause,
    code,
  });
}
