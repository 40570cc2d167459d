/**
 * What a command of the `golem-rx` command line may touch: its streams, its environment and the
 * interrupt signal. `main.ts` builds it from `process`; tests build one to capture the output.
 */
import type { Leftovers } from './leftovers.js';

/** Somewhere text goes (`process.stdout`, or a collecting sink in tests). */
export interface TextSink {
  write(text: string): unknown;
}

/** Which of the three standard streams are terminals. */
export interface TtyFlags {
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
}

/** The injected world of one `golem-rx` run. */
export interface CliContext {
  /** Results: tables, JSON, counts. */
  readonly stdout: TextSink;
  /** Errors, warnings, prompts and progress. */
  readonly stderr: TextSink;
  /** Answers to confirmation prompts (read only when `isTTY.stdin`). */
  readonly stdin: NodeJS.ReadableStream;
  /** The environment (`YAGNA_API_URL`, `YAGNA_APPKEY`, `NO_COLOR`, `GOLEM_RX_SESSION_FILE`, …). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Which streams are terminals: colours and progress need one, prompts need stdin and stderr. */
  readonly isTTY: TtyFlags;
  /**
   * Aborted on Ctrl-C (SIGINT) or SIGTERM: streaming commands stop cleanly, prompts answer no.
   * @default a signal that never aborts
   */
  readonly interrupt?: AbortSignal;
  /**
   * Where a command that holds resources through a `GolemNode` (the demo) registers it, so that
   * a forced exit (a third Ctrl-C) can list and record what it left open.
   */
  readonly leftovers?: Leftovers;
}
