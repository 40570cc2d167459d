import type { EventBus, ListenerHandle } from '../bus/EventBus.js';
import type { GolemEvent } from '../bus/events.js';
import { formatEventLine, loggerSecrets } from './formatEvent.js';
import { type LogSink, defaultLogSink, hostProcess } from './sink.js';

/**
 * Logs every event of `bus` as a JSON line to stderr (or `options.stream`), secrets redacted.
 * Each line is written after the previous one was accepted by the stream; a failed write
 * becomes a `ListenerFailed` event. Browser-safe: without a Node-like `process` (feature-detected
 * at run time, never imported), the lines go to `console.error`.
 *
 * @example
 * ```ts
 * const logging = enableDefaultLogger(node.events, { secrets: [appKey] });
 * // …
 * logging.stop();
 * ```
 * @returns the listener's handle (stop it to stop logging)
 * @see DefaultLogger (`golem-rx/node`) to log to a file
 */
export function enableDefaultLogger(bus: EventBus, options: EnableDefaultLoggerOptions = {}): ListenerHandle {
  const secrets = loggerSecrets(options.secrets);
  const clock = options.clock ?? Date.now;
  const stream = options.stream ?? defaultLogSink(hostProcess());
  const write = (event: GolemEvent): Promise<void> =>
    new Promise((resolve, reject) => {
      stream.write(formatEventLine(event, { secrets, clock }), (error) =>
        error === null || error === undefined ? resolve() : reject(error),
      );
    });
  return bus.listen(write, { name: 'DefaultLogger' });
}

/** Options of {@link enableDefaultLogger}. */
export interface EnableDefaultLoggerOptions {
  /** Strings never to write, e.g. the app key; `YAGNA_APPKEY` from the environment is added. */
  readonly secrets?: readonly string[];
  /** Where the lines go. @default process.stderr when the host has one, else console.error */
  readonly stream?: LogSink;
  /** Wall clock for the `time` field, ms since the epoch. @default Date.now */
  readonly clock?: () => number;
}
