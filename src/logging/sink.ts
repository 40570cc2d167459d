/**
 * Where {@link enableDefaultLogger} writes its lines: Node's `process.stderr`, any Node writable,
 * or anything with this one method. `callback` is called once the chunk was accepted (with the
 * error if it was not).
 */
export interface LogSink {
  /** Writes one line (with its `\n`); calls `callback` when done, with an error if it failed. */
  write(chunk: string, callback: (error?: Error | null) => void): unknown;
}

/** The parts of a Node-like `process` the core logging reads, when the host has one. */
export interface HostProcess {
  /** The environment (`YAGNA_APPKEY` is read from it). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Standard error, the default sink. */
  readonly stderr?: LogSink;
}

/**
 * The host's `process`, feature-detected at run time: Node's (or Deno's, Bun's) `process`, or
 * `undefined` in a browser. The core never imports a Node module for it.
 */
export function hostProcess(): HostProcess | undefined {
  const candidate: unknown = (globalThis as { readonly process?: unknown }).process;
  return typeof candidate === 'object' && candidate !== null ? candidate : undefined;
}

/** A sink over `console.error`, one call per line (its trailing `\n` dropped): the browser's default. */
export const consoleLogSink: LogSink = {
  write(chunk, callback) {
    console.error(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk);
    callback();
    return true;
  },
};

/**
 * The default sink of {@link enableDefaultLogger}: `process.stderr` when the host has a Node-like
 * process with a writable stderr, else {@link consoleLogSink}.
 *
 * @param host the host's process: {@link hostProcess}`()`, or a test's own
 */
export function defaultLogSink(host: HostProcess | undefined): LogSink {
  const stderr = host?.stderr;
  return stderr !== undefined && typeof stderr.write === 'function' ? stderr : consoleLogSink;
}
