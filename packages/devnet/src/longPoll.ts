/**
 * Long-polls for devnet's event endpoints. A pending poll ends when its condition holds, when
 * its timeout elapses (a timer on the devnet scheduler), when the client goes away, when the
 * daemon "restarts" (`ctx.restart$`: the socket is destroyed, as a real restart drops
 * connections) or when the module closes. Every ending removes every timer and listener.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Subscription, timer, type Observable, type SchedulerLike } from 'rxjs';
import { MAX_TIMER_MS } from './http.js';

/** How a long-poll ended. */
export type WaitOutcome<T> =
  { readonly kind: 'value'; readonly value: T } | { readonly kind: 'timeout' } | { readonly kind: 'dropped' };

/** What a long-poll waits for. */
export interface WaitSpec<T> {
  /** Server-side timeout in ms; `0` checks once and times out at once. */
  readonly timeoutMs: number;
  /** Returns the answer when ready, else `undefined`. Called at once and after every `wake$`. */
  readonly check: () => T | undefined;
  /** Emits whenever `check` might have become ready. */
  readonly wake$: Observable<unknown>;
}

interface Pending {
  drop(destroySocket: boolean): void;
}

/** The pending long-polls of one module. */
export class LongPolls {
  private readonly pending = new Set<Pending>();
  private readonly restartSubscription: Subscription;

  constructor(
    private readonly scheduler: SchedulerLike,
    restart$: Observable<void>,
  ) {
    this.restartSubscription = restart$.subscribe({ next: () => this.dropAll() });
  }

  /** How many polls are pending now (for leak checks). */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Waits for `spec.check()` to return a value. On `dropped` the socket is gone: the handler
   * must not answer (use {@link answerDropped}).
   */
  wait<T>(request: FastifyRequest, reply: FastifyReply, spec: WaitSpec<T>): Promise<WaitOutcome<T>> {
    const first = spec.check();
    if (first !== undefined) return Promise.resolve({ kind: 'value', value: first });
    if (spec.timeoutMs <= 0) return Promise.resolve({ kind: 'timeout' });
    const raw = reply.raw;
    if (raw.destroyed || request.raw.socket.destroyed) return Promise.resolve({ kind: 'dropped' });
    return new Promise<WaitOutcome<T>>((resolve) => {
      const subscription = new Subscription();
      let done = false;
      const finish = (outcome: WaitOutcome<T>): void => {
        if (done) return;
        done = true;
        subscription.unsubscribe();
        raw.off('close', onClose);
        this.pending.delete(entry);
        resolve(outcome);
      };
      const onClose = (): void => finish({ kind: 'dropped' });
      const entry: Pending = {
        drop: (destroySocket) => {
          finish({ kind: 'dropped' });
          if (destroySocket) raw.destroy();
        },
      };
      raw.once('close', onClose);
      this.pending.add(entry);
      subscription.add(
        spec.wake$.subscribe({
          next: () => {
            const value = spec.check();
            if (value !== undefined) finish({ kind: 'value', value });
          },
        }),
      );
      subscription.add(
        timer(Math.min(spec.timeoutMs, MAX_TIMER_MS), this.scheduler).subscribe({
          next: () => finish({ kind: 'timeout' }),
        }),
      );
    });
  }

  /** Ends every pending poll and destroys its socket (a daemon restart). */
  dropAll(): void {
    for (const entry of [...this.pending]) entry.drop(true);
  }

  /** Ends every pending poll and stops listening to restarts. Idempotent. */
  close(): void {
    this.dropAll();
    this.restartSubscription.unsubscribe();
  }
}

/** Tells fastify that a dropped long-poll's reply will never be sent. */
export function answerDropped(reply: FastifyReply): FastifyReply {
  reply.hijack();
  return reply;
}
