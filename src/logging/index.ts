// src/logging: bus events as JSON lines, secrets redacted.
export type { DefaultLoggerOptions } from './DefaultLogger.js';
export { DefaultLogger } from './DefaultLogger.js';
export type { EnableDefaultLoggerOptions } from './enableDefaultLogger.js';
export { enableDefaultLogger } from './enableDefaultLogger.js';
export type { FormatEventOptions } from './formatEvent.js';
export { formatEventLine } from './formatEvent.js';
export { REDACTED, redact } from './redact.js';
export { safeJsonReplacer, safeJsonStringify } from './safeJson.js';
