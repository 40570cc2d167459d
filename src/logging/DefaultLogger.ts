import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { EventBus, ListenerHandle } from '../bus/EventBus.js';
import type { GolemEvent } from '../bus/events.js';
import { formatEventLine, loggerSecrets } from './formatEvent.js';

/**
 * Writes every bus event as a JSON line, appended to a file, with the secrets (the app key)
 * redacted. A listener like any other: its writes happen in its own queue, in event order, and
 * a failed write becomes a `ListenerFailed` event on the bus.
 *
 * It is an adapter at the edge: the `time` of a record is wall-clock time (`clock`), not the
 * scheduler's. Node-only (node:fs): it is exported by `golem-rx/node`, not by the core entry.
 *
 * @example
 * ```ts
 * import { DefaultLogger } from 'golem-rx/node';
 *
 * const logger = new DefaultLogger({ file: 'golem.log', secrets: [appKey] });
 * logger.listenTo(node.events);
 * // …
 * await node.events.drain();
 * await logger.close();
 * ```
 * @see enableDefaultLogger
 */
export class DefaultLogger {
  /** The file the events are appended to. */
  readonly file: string;
  /** An ES private field: `util.inspect` and `JSON.stringify` of the logger never show the secrets. */
  readonly #secrets: readonly string[];
  private readonly clock: () => number;
  private handle: Promise<FileHandle> | undefined;

  /** @param options the file, the secrets to redact, the clock */
  constructor(options: DefaultLoggerOptions) {
    this.file = options.file;
    this.#secrets = loggerSecrets(options.secrets);
    this.clock = options.clock ?? Date.now;
  }

  /** Appends `event` as one line; a bus listener (`bus.listen(logger.onEvent)`). */
  readonly onEvent = async (event: GolemEvent): Promise<void> => {
    const line = formatEventLine(event, { secrets: this.#secrets, clock: this.clock });
    this.handle ??= open(this.file, 'a');
    const handle = await this.handle;
    await handle.appendFile(line, 'utf8');
  };

  /** Listens to every event of `bus`. */
  listenTo(bus: EventBus): ListenerHandle {
    return bus.listen(this.onEvent, { name: 'DefaultLogger' });
  }

  /** Closes the file (a later event opens it again). Await `bus.drain()` first to flush. */
  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (handle !== undefined) await (await handle).close();
  }
}

/** Options of {@link DefaultLogger}. */
export interface DefaultLoggerOptions {
  /** The file to append to (created if missing). */
  readonly file: string;
  /** Strings never to write, e.g. the app key; `YAGNA_APPKEY` from the environment is added. */
  readonly secrets?: readonly string[];
  /** Wall clock for the `time` field, ms since the epoch. @default Date.now */
  readonly clock?: () => number;
}
