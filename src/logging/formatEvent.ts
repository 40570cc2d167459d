import type { GolemEvent } from '../bus/events.js';
import { redact } from './redact.js';
import { safeJsonStringify } from './safeJson.js';
import { hostProcess } from './sink.js';

/**
 * One bus event as one JSON line (with its `\n`): `{"time":…,"type":…,…fields}`, serialised
 * with the safe replacer, then redacted so no secret survives, wherever it was hidden.
 *
 * @param event the event
 * @param options `secrets` to mask; `clock` for the `time` field (ms since the epoch)
 */
export function formatEventLine(event: GolemEvent, options: FormatEventOptions): string {
  const record: object = Object.assign(
    { time: new Date(options.clock()).toISOString(), type: event.type },
    event,
  );
  return `${redact(safeJsonStringify(record), options.secrets)}\n`;
}

/** Options of {@link formatEventLine}. */
export interface FormatEventOptions {
  /** Strings that must never be written (the app key). */
  readonly secrets: readonly string[];
  /** Wall-clock time of the record, in ms since the epoch (the logger is an edge adapter). */
  readonly clock: () => number;
}

/** The secrets a logger masks: the given ones plus `YAGNA_APPKEY` from the environment, if any. */
export function loggerSecrets(secrets: readonly string[] = []): string[] {
  const fromEnv = hostProcess()?.env?.['YAGNA_APPKEY'];
  return fromEnv === undefined || fromEnv === '' ? [...secrets] : [...secrets, fromEnv];
}
