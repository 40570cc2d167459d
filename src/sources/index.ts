// src/sources: yagna's long-polls as hot Observables.
export type { BackoffConfig } from './backoff.js';
export { backoffDelay } from './backoff.js';
export { httpStatusOf, isTerminalPollError, isTransientPollError } from './errorClassifiers.js';
export { marketEventKey, persistentEventKey } from './eventKeys.js';
export type { SourceHealth, SourceRecovered, SourceUnreachable } from './health.js';
export { CursorKeyWindow, KeyWindow } from './keyWindow.js';
export type { LongPollCommonConfig, LongPollConfig, LongPollSource } from './longPoll.js';
export { createLongPollSource, longPoll } from './longPoll.js';
export { MalformedTimestampError, isMalformedTimestampError } from './errors/MalformedTimestampError.js';
export type { ConsumingQueueConfig } from './consumingQueueSource.js';
export { consumingQueueSource } from './consumingQueueSource.js';
export type { PersistentLogConfig } from './persistentLogSource.js';
export { persistentLogSource } from './persistentLogSource.js';
export { compareTimestamps, normalizeTimestamp, shiftTimestamp, timestampNanos } from './timestamps.js';
