/**
 * The exec-results event stream (A4, REQUESTOR-GUIDE §4.6) as Real yagna writes it:
 * `event: runtime\ndata: <snake_case RuntimeEvent>\nid: <n>\n\n` per event, `id` a per-connection
 * sequence from 0, and a `:ping` comment every 15 s. The server never closes the stream after
 * the batch ends (the client does); it ends when the client leaves, or is dropped on devnet
 * restart or module close (socket destroyed).
 */
import type { FastifyReply } from 'fastify';
import { Subscription, timer } from 'rxjs';
import type { Observable, SchedulerLike } from 'rxjs';

/** Interval of the `:ping` comments, in ms (Real: 15 s). */
export const SSE_PING_MS = 15_000;

/** Is this request asking for the event stream? Real yagna needs exactly `text/event-stream`. */
export function wantsEventStream(accept: string | string[] | undefined): boolean {
  return accept === 'text/event-stream';
}

/** What {@link streamEvents} needs. */
export interface EventStreamConfig<E> {
  readonly scheduler: SchedulerLike;
  /** Events to write: devnet replays the batch's buffered events first, then live ones. */
  readonly events$: Observable<E>;
  /** Emits on devnet restart or module close. */
  readonly drop$: Observable<unknown>;
  /** Interval of `:ping` comments. @default SSE_PING_MS */
  readonly pingMs?: number;
}

/**
 * Takes over the reply and streams `events$` as `event: runtime` messages. Resolves nothing:
 * the stream lives until the client closes it or it is dropped.
 */
export function streamEvents<E>(reply: FastifyReply, config: EventStreamConfig<E>): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.flushHeaders();
  const subscription = new Subscription();
  let id = 0;
  const end = (): void => subscription.unsubscribe();
  res.once('close', end);
  subscription.add(() => res.off('close', end));
  subscription.add(
    config.events$.subscribe({
      next: (event) => {
        res.write(`event: runtime\ndata: ${JSON.stringify(event)}\nid: ${id++}\n\n`);
      },
      // The stream of a batch never errors in devnet; if it did, the client would see the
      // connection end, as with a daemon failure.
      error: () => res.destroy(),
    }),
  );
  const ping = config.pingMs ?? SSE_PING_MS;
  subscription.add(timer(ping, ping, config.scheduler).subscribe(() => res.write(':ping\n\n')));
  subscription.add(config.drop$.subscribe(() => res.destroy()));
}
