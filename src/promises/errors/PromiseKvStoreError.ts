import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/** What a {@link PromiseKvStoreError} was doing. */
export type PromiseKvStoreOperation = 'open' | 'append' | 'refresh' | 'watch';

/**
 * The promise store on a JetStream key-value bucket ({@link NatsKvPromiseStore}) could not do its
 * work: the bucket could not be created or read (`operation: 'open'`), a write did not become
 * durable before `appendTimeoutMs` or was refused (`'append'`: the registry's call rejects and the
 * promise keeps its state, unless the write still lands later, which every registry then sees), a
 * promise could not be read (`'refresh'`), or the feed of other hosts' changes ended for good
 * (`'watch'`: the connection closed, or a value in the bucket is not a promise record).
 * `servers` are masked, and no message (the `cause`'s included) carries the token, seed or password.
 */
export class PromiseKvStoreError extends GolemRxError {
  override readonly name = 'PromiseKvStoreError' as const;
  /** The bucket. */
  readonly bucket: string;
  /** What failed. */
  readonly operation: PromiseKvStoreOperation;
  /** The key involved (`<worker>.<oplogIdx>`), when one was. */
  readonly key: string | undefined;
  /** The NATS servers, credentials masked. */
  readonly servers: readonly string[];

  constructor(
    message: string,
    context: { bucket: string; operation: PromiseKvStoreOperation; key?: string; servers: readonly string[] },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.bucket = context.bucket;
    this.operation = context.operation;
    this.key = context.key;
    this.servers = context.servers;
  }
}

/** Is `err` a {@link PromiseKvStoreError} (by class, or by name across realms)? */
export const isPromiseKvStoreError = errorGuard(PromiseKvStoreError, 'PromiseKvStoreError');
