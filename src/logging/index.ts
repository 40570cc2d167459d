// src/logging: bus events as JSON lines, secrets redacted. Browser-safe; the file logger
// (DefaultLogger, node:fs) is the Node-only entry golem-rx/node (./node.ts).
export type { EnableDefaultLoggerOptions } from './enableDefaultLogger.js';
export { enableDefaultLogger } from './enableDefaultLogger.js';
export type { FormatEventOptions } from './formatEvent.js';
export { formatEventLine } from './formatEvent.js';
export { REDACTED, redact } from './redact.js';
export { safeJsonReplacer, safeJsonStringify } from './safeJson.js';
export type { LogSink } from './sink.js';
