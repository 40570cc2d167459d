import { assertCleanClose } from '../errors/IncompleteCloseError.js';
import type { Runnable } from './Runnable.js';

/**
 * What {@link runnableFromNode} needs of a node: `GolemNode` has it, so does anything with the
 * same start/close lifecycle (a promise server wrapper, a test double).
 */
export interface StartableNode {
  /** Starts (e.g. checks the app key); rejects when it cannot. */
  start(): Promise<unknown>;
  /** Stops and releases what it holds; idempotent. */
  close(): Promise<unknown>;
}

/** Options of {@link runnableFromNode}. */
export interface RunnableFromNodeConfig {
  /** @default 'golem-node' */
  name?: string;
}

/**
 * Adapts a `GolemNode` (or anything with `start()`/`close()`) to a {@link Runnable}.
 *
 * `run()` calls `node.start()` and then holds until `abort()`; on abort it awaits `node.close()`
 * (which closes the node's resources: activities, agreements, demands, allocations) and resolves.
 * It rejects when `start()` or `close()` rejects: the node could not start (it is then not
 * closed: a node that did not start holds nothing), or could not be released; and with
 * `IncompleteCloseError` when `close()` resolves with a report that is not `ok` (resources left
 * open, agreements unsettled). An `abort()` during
 * `start()` closes the node as soon as it has started.
 *
 * @param node - the node; its owner should let the runnable close it.
 * @param config - see {@link RunnableFromNodeConfig}.
 * @returns a one-shot runnable.
 *
 * @example
 * ```ts
 * const node = new GolemNode();
 * const registry = wireUp([runnableFromNode(node), runnableFromObservable(pipeline$, { name: 'pipeline' })]);
 * await registry.wireUpOnStartup();
 * ```
 */
export function runnableFromNode(node: StartableNode, config: RunnableFromNodeConfig = {}): Runnable {
  let running: Promise<void> | undefined;
  let aborted = false;
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const lifecycle = async (): Promise<void> => {
    if (aborted) return;
    await node.start();
    await stopped;
    assertCleanClose(await node.close());
  };
  return {
    name: config.name ?? 'golem-node',
    run(): Promise<void> {
      running ??= lifecycle();
      return running;
    },
    async abort(): Promise<void> {
      aborted = true;
      stop();
      await running?.then(
        () => undefined,
        () => undefined, // how it stopped is run()'s to tell
      );
    },
  };
}
