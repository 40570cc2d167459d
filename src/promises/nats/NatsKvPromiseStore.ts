import { randomUUID } from 'node:crypto';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { KV, KvEntry, KvWatchEntry } from '@nats-io/kv';
import type { QueuedIterator } from '@nats-io/nats-core';
import {
  Observable,
  Subject,
  asyncScheduler,
  filter,
  firstValueFrom,
  from,
  map,
  race,
  timer,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import { connectNats, maskedServers, type NatsLink } from '../../nats/connect.js';
import type { NatsConnectionOptions, NatsHealth } from '../../nats/options.js';
import { PromiseKvStoreError, type PromiseKvStoreOperation } from '../errors/PromiseKvStoreError.js';
import {
  RETRY_FIRST_MS,
  RETRY_MAX_MS,
  failure,
  isRetryable,
  isWrongLastSequence,
  loadPeer,
  maskedCause,
} from './kvFailures.js';
import type {
  PromiseAppendOutcome,
  PromiseRecord,
  PromiseStore,
  PromiseStoreSnapshot,
  StoredPromise,
} from '../PromiseStore.js';
import {
  type KvPromiseValue,
  decodeKvValue,
  encodeKvValue,
  oplogIdxOfKey,
  promiseKey,
  recordsBetween,
  workerToken,
} from './kvFormat.js';

/** The bucket {@link NatsKvPromiseStore.open} uses unless told otherwise. */
export const DEFAULT_PROMISE_BUCKET = 'golem-rx-promises';

/** Options of {@link NatsKvPromiseStore.open}, besides how to reach NATS. */
export interface NatsKvPromiseStoreConfig {
  /**
   * The JetStream key-value bucket, created (file storage, history 1) when absent. Many workers
   * may share one bucket: each has its own keys.
   * @default DEFAULT_PROMISE_BUCKET ('golem-rx-promises')
   */
  bucket?: string;
  /**
   * The worker whose promises this store holds; every registry of that worker, on any host,
   * opens the store with the same name. The registry built on the store takes it.
   * @default 'requestor'
   */
  workerName?: string;
  /**
   * Replicas of the bucket's stream when the store creates it (1, 3 or 5; more than 1 needs a
   * JetStream cluster).
   * @default 1
   */
  replicas?: number;
  /**
   * How long one write (or read) keeps retrying while NATS is unreachable or restarting before it
   * fails with {@link PromiseKvStoreError}, in milliseconds.
   * @default 30000
   */
  appendTimeoutMs?: number;
  /**
   * How long one attempt waits for the server's answer, in milliseconds.
   * @default 5000
   */
  requestTimeoutMs?: number;
  /** Measures the deadlines and waits between retries. @default asyncScheduler */
  scheduler?: SchedulerLike;
}

/**
 * How {@link NatsKvPromiseStore.open} reaches NATS: a connection of yours (`link`, from
 * `connectNats`, which the store then does not close), or the options to open its own
 * (`servers`, credentials…, closed with the store).
 */
export type NatsKvPromiseStoreOptions = NatsKvPromiseStoreConfig &
  ({ readonly link: NatsLink } | NatsConnectionOptions);

type KvModule = typeof import('@nats-io/kv');
type JetStreamModule = typeof import('@nats-io/jetstream');

/** What the store knows of one key: its revision and value. */
interface Known {
  readonly revision: number;
  readonly value: KvPromiseValue;
}

/**
 * A {@link PromiseStore} on a JetStream key-value bucket, shared by the registries of one worker
 * on any number of hosts: a promise created on one host can be awaited on another and completed
 * from a third (in code or through `startPromiseServer`), and the first completion wins everywhere.
 *
 * - **First writer wins** by compare-and-set: a promise is one key, created only if absent, and
 *   completed or deleted only at the revision the writer saw. A completion that loses answers
 *   `'conflict'`; the registry then resolves `false` and holds the winner's value.
 * - **Waiters on any host wake:** the store watches its worker's keys and feeds every change to
 *   its registry (`changes$`).
 * - **Indexes never collide:** a creation is a create-if-absent of `<worker>.<n>`; when another
 *   host took `n` the registry takes the next one. A deleted promise leaves a tombstone, so its
 *   index is never handed out again.
 * - **Durable, restart-safe:** JetStream file storage acknowledges a write once it is stored; a
 *   store reopened on the bucket (after a crash of the process, or a restart of NATS) sees every
 *   promise. While NATS is unreachable a write waits and retries (`appendTimeoutMs`), and a retried
 *   write recognises its own earlier attempt, so nothing is written twice and nothing acknowledged
 *   is lost.
 *
 * Needs the optional peers `@nats-io/transport-node`, `@nats-io/jetstream` and `@nats-io/kv`
 * (loaded by `open`; without them `open` rejects with a `NatsConnectionError`). Works with
 * nats-server 2.9 and later.
 *
 * @example
 * ```ts
 * const store = await NatsKvPromiseStore.open({ servers: 'nats://10.0.0.5:4222', token, workerName: 'deploy-bot' });
 * const registry = new PromiseRegistry(store); // worker 'deploy-bot', on every host
 * ```
 */
export class NatsKvPromiseStore implements PromiseStore {
  /** The worker whose promises this store holds. */
  readonly workerName: string;
  /** The bucket. */
  readonly bucket: string;
  /** What other writers changed (hot), for the registry. */
  readonly changes$: Observable<PromiseRecord>;
  /** The NATS connection's health (unreachable, recovered, closed), as `connectNats` reports it. */
  readonly health$: Observable<NatsHealth>;
  private readonly token: string;
  private readonly known = new Map<number, Known>();
  private readonly changes = new Subject<PromiseRecord>();
  private readonly scheduler: SchedulerLike;
  private readonly appendTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private next = 0;
  /** The highest revision the watch delivered: a new watch resumes after it. */
  private watched = 0;
  private watcher: QueuedIterator<KvWatchEntry> | undefined;
  /** Whether the first watch has delivered every promise the bucket held at open. */
  private loaded = false;
  private watching: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;
  /** Each time the connection is back after a loss. */
  private readonly reconnects = new Subject<void>();
  private readonly health: Subscription;

  private constructor(
    private readonly kv: KV,
    private readonly link: NatsLink,
    private readonly ownsLink: boolean,
    config: Required<Pick<NatsKvPromiseStoreConfig, 'bucket' | 'workerName'>> & NatsKvPromiseStoreConfig,
  ) {
    this.workerName = config.workerName;
    this.bucket = config.bucket;
    this.token = workerToken(config.workerName);
    this.scheduler = config.scheduler ?? asyncScheduler;
    this.appendTimeoutMs = config.appendTimeoutMs ?? 30_000;
    this.requestTimeoutMs = config.requestTimeoutMs ?? 5_000;
    this.changes$ = this.changes.asObservable();
    this.health$ = link.health$;
    this.health = link.health$
      .pipe(filter((h) => h.kind === 'recovered'))
      .subscribe(() => this.reconnects.next());
  }

  /**
   * Connects (or uses `link`), creates the bucket if absent and loads the worker's promises; resolves
   * once the store knows every promise the bucket holds for its worker.
   *
   * @throws {RangeError} (rejects) on a bad bucket or worker name or timeout, before connecting
   * @throws {NatsConnectionError} (rejects) when NATS cannot be reached or the client packages are missing
   * @throws {PromiseKvStoreError} (rejects, `operation: 'open'`) when the bucket cannot be created or read
   */
  static async open(options: NatsKvPromiseStoreOptions): Promise<NatsKvPromiseStore> {
    const bucket = options.bucket ?? DEFAULT_PROMISE_BUCKET;
    const workerName = options.workerName ?? 'requestor';
    checkConfig(bucket, workerName, options);
    const given = 'link' in options ? options.link : undefined;
    const servers = given?.servers ?? maskedServers(options as NatsConnectionOptions);
    const [{ Kvm }, { jetstreamManager }] = await Promise.all([
      loadPeer<KvModule>(() => import('@nats-io/kv'), servers),
      loadPeer<JetStreamModule>(() => import('@nats-io/jetstream'), servers),
    ]);
    const link = given ?? (await connectNats(options as NatsConnectionOptions, options.scheduler));
    let store: NatsKvPromiseStore | undefined;
    try {
      const kv = await new Kvm(link.connection).create(bucket, {
        history: 1,
        storage: 'file',
        replicas: options.replicas ?? 1,
        allow_direct: false,
      });
      store = new NatsKvPromiseStore(kv, link, given === undefined, { ...options, bucket, workerName });
      await store.load(await jetstreamManager(link.connection));
      return store;
    } catch (err) {
      // Closing stops the watch and releases the link if the store opened it (close does not fail).
      await store?.close();
      if (given === undefined) await link.close();
      if (err instanceof PromiseKvStoreError) throw err;
      throw failure(link, bucket, 'open', undefined, err);
    }
  }

  /** The promises known now (loaded on open, kept current by the watch and by every write). */
  snapshot(): PromiseStoreSnapshot {
    const promises: StoredPromise[] = [];
    for (const [oplogIdx, { value }] of [...this.known].sort(([a], [b]) => a - b)) {
      if (value.state === 'pending') promises.push({ oplogIdx });
      else if (value.state === 'completed')
        promises.push({ oplogIdx, data: new Uint8Array(value.data ?? []) });
    }
    return { nextOplogIdx: this.next, promises };
  }

  /**
   * Writes the record by compare-and-set; resolves once JetStream stored it, or with `'conflict'`
   * when another writer changed the promise first (after delivering that change on `changes$`).
   * Retries while NATS is unreachable, up to `appendTimeoutMs`; then rejects with
   * {@link PromiseKvStoreError}.
   */
  async append(record: PromiseRecord): Promise<PromiseAppendOutcome> {
    const { oplogIdx } = record;
    const key = promiseKey(this.token, oplogIdx);
    if (this.closing !== undefined) throw this.closedError('append', key);
    const known = this.known.get(oplogIdx);
    const writer = randomUUID();
    let value: KvPromiseValue;
    let expected: number;
    if (record.type === 'created') {
      value = { state: 'pending', writer };
      expected = 0;
    } else {
      const allowed = record.type === 'completed' ? ['pending'] : ['pending', 'completed'];
      if (known === undefined || !allowed.includes(known.value.state)) {
        // The registry decided from a state this store has moved past: show it the current one.
        await this.refresh(oplogIdx);
        return 'conflict';
      }
      value =
        record.type === 'completed'
          ? { state: 'completed', data: new Uint8Array(record.data), writer }
          : { state: 'deleted', writer };
      expected = known.revision;
    }
    const encoded = encodeKvValue(value);
    const deadline = this.scheduler.now() + this.appendTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const revision = await this.attempt(
          this.kv.put(key, encoded, { previousSeq: expected, timeout: this.attemptTimeout(deadline) }),
        );
        this.learn(oplogIdx, { revision, value });
        return undefined;
      } catch (err) {
        if (isWrongLastSequence(err)) return this.settleConflict(oplogIdx, key, writer, deadline);
        await this.beforeRetry('append', key, err, attempt, deadline);
      }
    }
  }

  /** Reads the promise from the bucket and delivers any change on `changes$`. */
  async refresh(oplogIdx: number): Promise<void> {
    const key = promiseKey(this.token, oplogIdx);
    const entry = await this.read(key, this.scheduler.now() + this.appendTimeoutMs);
    if (entry !== null) this.apply(entry, 'refresh');
  }

  /** Stops watching, completes `changes$` and closes the connection if the store opened it. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.watcher?.stop();
      await this.watching;
      this.health.unsubscribe();
      this.changes.complete();
      if (this.ownsLink) await this.link.close();
    })();
    return this.closing;
  }

  /** Finds the last revision of the worker's keys, then watches until the watch has delivered it. */
  private async load(jsm: JetStreamManager): Promise<void> {
    const last = await jsm.streams.getMessage(`KV_${this.bucket}`, {
      last_by_subj: `$KV.${this.bucket}.${this.token}.*`,
    });
    const target = last?.seq ?? 0;
    const deadline = this.scheduler.now() + this.appendTimeoutMs;
    await new Promise<void>((resolve, rejectWith) => {
      // The watch's typed errors (PromiseKvStoreError) are forwarded as thrown.
      const reject: (err: unknown) => void = rejectWith;
      const check = (): void => {
        if (!this.loaded && this.watched >= target) {
          this.loaded = true;
          resolve();
        }
      };
      check();
      this.watching = this.watch(check, deadline).catch((err: unknown) => {
        if (this.loaded) this.changes.error(err);
        else reject(err);
      });
    });
  }

  /**
   * Watches the worker's keys until closed; when a watch ends (or cannot start) while NATS is away,
   * starts again after the last revision seen. Fails when the connection closed for good.
   */
  private async watch(onEntry: () => void, loadDeadline: number): Promise<void> {
    let attempt = 1;
    while (this.closing === undefined) {
      let watcher: QueuedIterator<KvWatchEntry> | undefined;
      let ended: unknown;
      try {
        watcher = await this.kv.watch({ key: `${this.token}.*`, resumeFromRevision: this.watched + 1 });
      } catch (err) {
        ended = err;
      }
      if (watcher !== undefined) {
        this.watcher = watcher;
        if (this.closing !== undefined) watcher.stop();
        for await (const entry of watcher) {
          this.watched = Math.max(this.watched, entry.revision);
          this.apply(entry, this.loaded ? 'watch' : 'open');
          onEntry();
          attempt = 1;
        }
      }
      if (this.closing !== undefined) return;
      await this.beforeRetry(
        this.loaded ? 'watch' : 'open',
        undefined,
        ended,
        attempt++,
        this.loaded ? Number.POSITIVE_INFINITY : loadDeadline,
      );
    }
  }

  /** Applies an entry read from the bucket if it is newer than what is known; emits the change. */
  private apply(entry: KvEntry, operation: PromiseKvStoreOperation): void {
    const oplogIdx = oplogIdxOfKey(this.token, entry.key);
    if (oplogIdx === undefined) return; // not a promise key of this worker
    const value: KvPromiseValue | undefined =
      entry.operation === 'PUT' ? decodeKvValue(entry.value) : { state: 'deleted', writer: '' };
    if (value === undefined) {
      throw new PromiseKvStoreError(
        `The value of ${entry.key} in promise bucket ${this.bucket} is not a promise record`,
        { bucket: this.bucket, operation, key: entry.key, servers: this.link.servers },
      );
    }
    const before = this.known.get(oplogIdx);
    if (!this.learn(oplogIdx, { revision: entry.revision, value })) return;
    for (const record of recordsBetween(oplogIdx, before?.value.state, value)) this.changes.next(record);
  }

  /** Keeps the newer of what is known and `next`; false when `next` is not newer. */
  private learn(oplogIdx: number, next: Known): boolean {
    const known = this.known.get(oplogIdx);
    this.next = Math.max(this.next, oplogIdx + 1);
    if (known !== undefined && (known.revision >= next.revision || known.value.state === 'deleted'))
      return false;
    this.known.set(oplogIdx, next);
    return true;
  }

  /**
   * The write was refused: either an earlier attempt of this very write landed (its answer was
   * lost), which is success, or another writer got there first: deliver its state and say so.
   */
  private async settleConflict(
    oplogIdx: number,
    key: string,
    writer: string,
    deadline: number,
  ): Promise<PromiseAppendOutcome> {
    const entry = await this.read(key, deadline);
    if (entry === null) return 'conflict';
    const value = entry.operation === 'PUT' ? decodeKvValue(entry.value) : undefined;
    if (value?.writer === writer) {
      this.learn(oplogIdx, { revision: entry.revision, value });
      return undefined;
    }
    this.apply(entry, 'append');
    return 'conflict';
  }

  /** Reads a key, retrying while NATS is unreachable. */
  private async read(key: string, deadline: number): Promise<KvEntry | null> {
    for (let attempt = 1; ; attempt++) {
      if (this.closing !== undefined) throw this.closedError('refresh', key);
      try {
        return await this.attempt(this.kv.get(key));
      } catch (err) {
        await this.beforeRetry('refresh', key, err, attempt, deadline);
      }
    }
  }

  /** Waits before the next attempt, or throws when the error is final or the deadline passed. */
  private async beforeRetry(
    operation: PromiseKvStoreOperation,
    key: string | undefined,
    err: unknown,
    attempt: number,
    deadline: number,
  ): Promise<void> {
    if (this.closing !== undefined) throw this.closedError(operation, key, err);
    if (this.link.connection.isClosed() || !isRetryable(err) || this.scheduler.now() >= deadline) {
      throw failure(this.link, this.bucket, operation, key, err);
    }
    const pause = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.min(attempt - 1, 10));
    await firstValueFrom(
      timer(Math.max(0, Math.min(pause, deadline - this.scheduler.now())), this.scheduler),
    );
  }

  /**
   * One request, given up (to be retried) when the connection comes back meanwhile: a request sent
   * into a lost connection may never be answered. Retrying is safe: a write's compare-and-set and
   * its writer id tell a late landing of the first attempt from another writer.
   */
  private attempt<T>(request: Promise<T>): Promise<T> {
    return firstValueFrom(
      race(
        from(request),
        this.reconnects.pipe(
          map((): T => {
            throw new Error('NATS reconnected while waiting for an answer');
          }),
        ),
      ),
    );
  }

  private attemptTimeout(deadline: number): number {
    return Math.max(1, Math.min(this.requestTimeoutMs, deadline - this.scheduler.now()));
  }

  private closedError(operation: PromiseKvStoreOperation, key: string | undefined, cause?: unknown) {
    return new PromiseKvStoreError(
      `The promise store on bucket ${this.bucket} is closed`,
      { bucket: this.bucket, operation, key, servers: this.link.servers },
      cause === undefined ? undefined : { cause: maskedCause(this.link, cause) },
    );
  }
}

function checkConfig(bucket: string, workerName: string, config: NatsKvPromiseStoreConfig): void {
  if (!/^[-\w]+$/.test(bucket))
    throw new RangeError(`NatsKvPromiseStore: bad bucket name ${bucket} (letters, digits, - and _)`);
  if (workerName === '') throw new RangeError('NatsKvPromiseStore: workerName must not be empty');
  for (const key of ['appendTimeoutMs', 'requestTimeoutMs'] as const) {
    const value = config[key];
    if (value !== undefined && !(Number.isFinite(value) && value > 0))
      throw new RangeError(`NatsKvPromiseStore: ${key} must be a positive number of milliseconds`);
  }
}
