// golem-rx/node: the Node-only part of logging (bus events appended to a file, node:fs).
// The browser-safe logging (enableDefaultLogger to stderr or console.error) is in the core entry.
export { DefaultLogger } from './DefaultLogger.js';
export type { DefaultLoggerOptions } from './DefaultLogger.js';
