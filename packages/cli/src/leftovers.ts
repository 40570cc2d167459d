/**
 * What a run of golem-rx (the demo, a command) holds open on yagna right now, followed on its
 * nodes' buses (`NewResource`, `ResourceClosed`), so that a forced exit in the middle of the
 * cleanup can say what it leaves behind and record it where `--mine` finds it.
 */
import type { Subscription } from 'rxjs';
import { type GolemNode, NewResource, ResourceClosed, ofType } from 'golem-rx';
import { displayUrl } from './errors.js';
import { CliSession, type SessionKind, sessionFilePath } from './session.js';

/** The kinds of resource that stay open on yagna when a run stops without closing them. */
export type OpenKind = 'Activity' | 'Agreement' | 'Demand' | 'Allocation';

/** A resource left open (its kind and yagna id). */
export interface LeftOpen {
  readonly kind: OpenKind;
  readonly id: string;
}

/** Close order of `node.close()`: the order leftovers are listed in. */
const ORDER: readonly OpenKind[] = ['Activity', 'Agreement', 'Demand', 'Allocation'];

/** The session file kinds (`--mine`) of the kinds that have one. */
const SESSION_KINDS: Partial<Record<OpenKind, SessionKind>> = {
  Allocation: 'allocations',
  Demand: 'demands',
};

interface Entry extends LeftOpen {
  readonly node: GolemNode;
  readonly record: boolean;
}

function isOpenKind(kind: string): kind is OpenKind {
  return (ORDER as readonly string[]).includes(kind);
}

/**
 * The resources the watched nodes hold open: created (or first seen) and not closed yet.
 *
 * @example
 * ```ts
 * const leftovers = new Leftovers();
 * leftovers.watch(node, { record: true });
 * // … on a forced exit:
 * process.stderr.write(leftovers.describe());
 * await leftovers.record(process.env);
 * ```
 */
export class Leftovers {
  private readonly open = new Map<string, Entry>();
  private readonly watching: Subscription[] = [];

  /**
   * Follows `node`'s bus from now on. Call it right after making the node.
   * @param node the node
   * @param options `record`: whether {@link record} writes this node's allocations and demands to
   *   the CLI's session file (a real yagna; not an embedded devnet that dies with the process)
   */
  watch(node: GolemNode, options: { record?: boolean } = {}): void {
    const record = options.record ?? true;
    this.watching.push(
      node.events.events$.pipe(ofType(NewResource, ResourceClosed)).subscribe((event) => {
        const { kind, id } = event.resource;
        if (!isOpenKind(kind)) return;
        const key = `${kind}:${id}`;
        if (event instanceof ResourceClosed) this.open.delete(key);
        else this.open.set(key, { kind, id, node, record });
      }),
    );
  }

  /** Stops following the nodes (what is open stays listed). */
  stop(): void {
    for (const subscription of this.watching.splice(0)) subscription.unsubscribe();
  }

  /** What is open now, in close order (activities, agreements, demands, allocations). */
  list(): LeftOpen[] {
    return [...this.open.values()]
      .sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind))
      .map(({ kind, id }) => ({ kind, id }));
  }

  /** One line per resource left open (`  allocation <id>`), or `''` when nothing is. */
  describe(): string {
    return this.list()
      .map(({ kind, id }) => `  ${kind.toLowerCase()} ${id}\n`)
      .join('');
  }

  /**
   * Records the open allocations and demands of the nodes watched with `record` in the CLI's
   * session file (`GOLEM_RX_SESSION_FILE`, …), under their yagna and identity, so that
   * `golem-rx allocation clean --mine` and `demand clear --mine` find them.
   *
   * @param env the environment (where the session file is)
   * @returns the session file and how many ids were written (0: nothing to record)
   * @throws CliCommandError when the session file cannot be written
   */
  async record(env: Readonly<Record<string, string | undefined>>): Promise<{ path: string; count: number }> {
    const path = sessionFilePath(env);
    let count = 0;
    const sessions = new Map<string, CliSession>();
    for (const entry of this.open.values()) {
      const kind = SESSION_KINDS[entry.kind];
      const identity = entry.node.identity?.identity;
      if (!entry.record || kind === undefined || identity === undefined) continue;
      const key = `${displayUrl(entry.node.apiUrl)} ${identity}`;
      const session = sessions.get(key) ?? (await CliSession.open(path, key));
      sessions.set(key, session);
      await session.add(kind, entry.id);
      count++;
    }
    return { path, count };
  }
}
