/**
 * The CLI's session: the allocations and demands that `golem-rx` itself created, recorded in a
 * local file per yagna (API root) and identity, so that `--mine` can restrict a destructive
 * command to them. Only ids are stored, never the app key.
 *
 * File: `$GOLEM_RX_SESSION_FILE`, else `$XDG_STATE_HOME/golem-rx/cli-session.json`, else
 * `~/.local/state/golem-rx/cli-session.json`.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliCommandError } from './CliCommandError.js';

/** The kinds of resource a session records. */
export type SessionKind = 'allocations' | 'demands';

interface SessionEntries {
  allocations: string[];
  demands: string[];
}

interface SessionFile {
  version: 1;
  sessions: Record<string, SessionEntries>;
}

/**
 * Where the session file lives.
 * @param env the environment (`GOLEM_RX_SESSION_FILE`, `XDG_STATE_HOME`, `HOME`)
 */
export function sessionFilePath(env: Readonly<Record<string, string | undefined>>): string {
  const explicit = env.GOLEM_RX_SESSION_FILE;
  if (explicit !== undefined && explicit.trim() !== '') return explicit.trim();
  const state = env.XDG_STATE_HOME;
  const base =
    state !== undefined && state.trim() !== ''
      ? state.trim()
      : join(env.HOME !== undefined && env.HOME !== '' ? env.HOME : homedir(), '.local', 'state');
  return join(base, 'golem-rx', 'cli-session.json');
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function parseFile(text: string, path: string): SessionFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CliCommandError(`session file ${path} is not valid JSON: fix or delete it`, {}, { cause: err });
  }
  const sessions: Record<string, SessionEntries> = {};
  const raw =
    typeof value === 'object' && value !== null ? (value as { sessions?: unknown }).sessions : undefined;
  if (typeof raw !== 'object' || raw === null) {
    throw new CliCommandError(`session file ${path} has no "sessions" object: fix or delete it`);
  }
  for (const [key, entry] of Object.entries(raw)) {
    const e = entry as Partial<Record<SessionKind, unknown>>;
    sessions[key] = {
      allocations: isStringArray(e.allocations) ? e.allocations : [],
      demands: isStringArray(e.demands) ? e.demands : [],
    };
  }
  return { version: 1, sessions };
}

async function load(path: string): Promise<SessionFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return { version: 1, sessions: {} };
    throw new CliCommandError(`cannot read session file ${path}`, {}, { cause: err });
  }
  return parseFile(text, path);
}

/** The ids this CLI created against one yagna identity. */
export class CliSession {
  private constructor(
    /** The session file. */
    readonly path: string,
    /** `<api root> <identity>`: which session of the file this is. */
    readonly key: string,
    private entries: SessionEntries,
  ) {}

  /**
   * Reads the session `key` of the file at `path` (empty when the file does not exist).
   * @throws CliCommandError when the file exists but cannot be read or parsed
   */
  static async open(path: string, key: string): Promise<CliSession> {
    const file = await load(path);
    const entries = file.sessions[key] ?? { allocations: [], demands: [] };
    return new CliSession(path, key, entries);
  }

  /** The ids recorded for `kind`. */
  ids(kind: SessionKind): ReadonlySet<string> {
    return new Set(this.entries[kind]);
  }

  /** Records an id created by this CLI. */
  async add(kind: SessionKind, id: string): Promise<void> {
    await this.update((e) => {
      if (!e[kind].includes(id)) e[kind].push(id);
    });
  }

  /** Forgets ids (released, unsubscribed or gone). */
  async remove(kind: SessionKind, ids: Iterable<string>): Promise<void> {
    const drop = new Set(ids);
    if (drop.size === 0) return;
    await this.update((e) => {
      e[kind] = e[kind].filter((id) => !drop.has(id));
    });
  }

  /** Forgets every recorded id of `kind` that is not among `live` (released by someone else, expired). */
  async prune(kind: SessionKind, live: Iterable<string>): Promise<void> {
    const alive = new Set(live);
    const gone = this.entries[kind].filter((id) => !alive.has(id));
    await this.remove(kind, gone);
  }

  /** Re-reads the file (another run may have written it), applies `change`, writes it atomically. */
  private async update(change: (entries: SessionEntries) => void): Promise<void> {
    const file = await load(this.path);
    const entries = file.sessions[this.key] ?? { allocations: [], demands: [] };
    change(entries);
    if (entries.allocations.length === 0 && entries.demands.length === 0) delete file.sessions[this.key];
    else file.sessions[this.key] = entries;
    this.entries = entries;
    try {
      await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      const temp = `${this.path}.${process.pid}.tmp`;
      await writeFile(temp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
      await rename(temp, this.path);
    } catch (err) {
      throw new CliCommandError(`cannot write session file ${this.path}`, {}, { cause: err });
    }
  }
}
