import { mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { PromiseJournalError } from './errors/PromiseJournalError.js';
import { decodeJournalLine, encodeJournalLine, type JournalEntry } from './journalFormat.js';
import { PromiseTable } from './promiseTable.js';
import type { PromiseRecord, PromiseStore, PromiseStoreSnapshot } from './PromiseStore.js';

/**
 * The default {@link PromiseStore}: an append-only JSON-lines journal, one record a line, each
 * line written and `fsync`ed before `append` resolves, so a completion the registry acknowledged
 * survives a crash of the process or of the machine.
 *
 * Opening replays the file. A torn last line (a write cut short by a crash, never acknowledged) is
 * dropped; an unreadable line anywhere else is corruption and fails the open with a
 * {@link PromiseJournalError}. When the file holds anything dead (deleted promises, a torn tail)
 * it is compacted on open: rewritten to a temporary file, fsynced, and renamed over the journal.
 *
 * One process at a time may own a journal file: there is no cross-process lock.
 *
 * The journal holds promise results, so it is private: the file is created (or tightened on
 * open) to mode 0600 and a directory the store creates is 0700, like the CLI's session file.
 *
 * @example
 * ```ts
 * const store = await FileJournalPromiseStore.open('.golem-rx/promises.jsonl');
 * const registry = new PromiseRegistry(store);
 * ```
 */
export class FileJournalPromiseStore implements PromiseStore {
  private tail: Promise<void> = Promise.resolve();
  private failure: unknown = undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    /** The absolute path of the journal file. */
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly table: PromiseTable,
    private size: number,
  ) {}

  /**
   * Opens (creating it and its directory if needed) the journal at `path` and replays it. The
   * file is made 0600 (created so, or tightened when group or others could read it); directories
   * it creates are 0700.
   * Rejects with {@link PromiseJournalError} when the file is corrupt or cannot be read or written.
   */
  static async open(path: string): Promise<FileJournalPromiseStore> {
    const file = resolve(path);
    try {
      await mkdir(dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
      const { table, needsCompaction } = replay(file, await readJournal(file));
      if (needsCompaction) await rewrite(file, table);
      const handle = await open(file, 'a', PRIVATE_FILE_MODE);
      const stat = await handle.stat();
      if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) await handle.chmod(PRIVATE_FILE_MODE);
      if (!needsCompaction) await syncDirectory(dirname(file));
      return new FileJournalPromiseStore(file, handle, table, stat.size);
    } catch (err) {
      if (err instanceof PromiseJournalError) throw err;
      throw new PromiseJournalError(
        `Cannot open the promise journal ${file}`,
        { path: file, operation: 'open' },
        { cause: err },
      );
    }
  }

  /** The current state (replayed on open, kept current by every append). */
  snapshot(): PromiseStoreSnapshot {
    return this.table.snapshot();
  }

  /** Appends the record as one line and fsyncs; resolves when it is on disk. Appends run one at a time. */
  append(record: PromiseRecord): Promise<void> {
    const written = this.tail.then(() => this.write(record));
    // The chain only orders writes; each caller gets its own outcome through `written`.
    this.tail = written.then(
      () => undefined,
      () => undefined,
    );
    return written;
  }

  /** Waits for pending appends and closes the file. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.tail.then(async () => {
      try {
        await this.handle.close();
      } catch (err) {
        throw new PromiseJournalError(
          `Cannot close the promise journal ${this.path}`,
          { path: this.path, operation: 'close' },
          { cause: err },
        );
      }
    });
    return this.closing;
  }

  private async write(record: PromiseRecord): Promise<void> {
    const context = { path: this.path, operation: 'append' as const };
    if (this.closing) throw new PromiseJournalError(`The promise journal ${this.path} is closed`, context);
    if (this.failure !== undefined) {
      throw new PromiseJournalError(`The promise journal ${this.path} failed earlier; reopen it`, context, {
        cause: this.failure,
      });
    }
    const line = Buffer.from(encodeJournalLine(record), 'utf8');
    try {
      await this.handle.appendFile(line);
      await this.handle.sync();
    } catch (err) {
      // The disk's state is unknown after a failed write or fsync: refuse further appends, and try
      // to cut the partial line off so that the next open sees a clean file.
      this.failure = err;
      await this.handle.truncate(this.size).catch((truncateErr: unknown) => {
        this.failure = new AggregateError([err, truncateErr], 'append and truncate both failed');
      });
      throw new PromiseJournalError(`Cannot append to the promise journal ${this.path}`, context, {
        cause: this.failure,
      });
    }
    this.size += line.length;
    this.table.apply(record);
  }
}

/** The journal's mode: read and write for its owner only. */
const PRIVATE_FILE_MODE = 0o600;
/** The mode of a directory the store creates: its owner only. */
const PRIVATE_DIR_MODE = 0o700;

async function readJournal(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

/** Folds the journal's lines into a table; the unterminated last fragment is a torn write. */
function replay(file: string, text: string): { table: PromiseTable; needsCompaction: boolean } {
  const table = new PromiseTable();
  const lines = text.split('\n');
  const torn = lines.pop() !== '';
  let dead = 0;
  lines.forEach((line, i) => {
    if (line.trim() === '') {
      dead++;
      return;
    }
    const entry = decodeJournalLine(line);
    if (entry === undefined) {
      throw new PromiseJournalError(`The promise journal ${file} is corrupt at line ${i + 1}`, {
        path: file,
        operation: 'open',
        line: i + 1,
      });
    }
    if (entry.type === 'next') table.advance(entry.oplogIdx);
    else if (!table.apply(entry) || entry.type === 'deleted') dead++;
  });
  return { table, needsCompaction: torn || dead > 0 };
}

/** Atomically replaces the journal with its compacted form: temp file, fsync, rename, fsync dir. */
async function rewrite(file: string, table: PromiseTable): Promise<void> {
  const entries: JournalEntry[] = [{ type: 'next', oplogIdx: table.nextOplogIdx }, ...table.compactRecords()];
  const temp = `${file}.compact`;
  const handle = await open(temp, 'w', PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(entries.map(encodeJournalLine).join(''), 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
  await syncDirectory(dirname(file));
}

/** Makes a created or renamed directory entry durable. */
async function syncDirectory(dir: string): Promise<void> {
  // Windows cannot open a directory for fsync; NTFS journals directory entries itself.
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
