import { timer, type SchedulerLike, type Subscription } from 'rxjs';
import type { BaseEvent, BaseRequestResponseEvent } from './BaseEvent.js';
import type { GolemRxError } from '../../errors/GolemRxError.js';
import { NoSubscribersError } from './errors/NoSubscribersError.js';
import { RemoteDisconnectedError } from './errors/RemoteDisconnectedError.js';
import { RequestTimeoutError } from './errors/RequestTimeoutError.js';
import { UnexpectedResponseError } from './errors/UnexpectedResponseError.js';

interface Pending {
  readonly eventType: string;
  /** The endpoint expected to answer; only its response is accepted. */
  readonly target: string;
  readonly resolve: (response: BaseEvent) => void;
  readonly reject: (error: GolemRxError) => void;
  timeout?: Subscription;
}

/**
 * Requests waiting for their response, each with its timeout (an RxJS `timer` on the endpoint's
 * scheduler) and the one endpoint allowed to answer it.
 */
export class PendingRequests {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly scheduler: SchedulerLike) {}

  /** Register a request; the Promise settles with its response or a typed error. */
  add<R extends BaseEvent>(
    id: string,
    request: BaseRequestResponseEvent<R>,
    eventType: string,
    target: string,
    timeoutMs: number,
    scheduler: SchedulerLike = this.scheduler,
  ): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const entry: Pending = {
        eventType,
        target,
        reject,
        resolve: (response) => {
          const expected = request.expectedResponseType();
          if (response instanceof expected) resolve(response);
          else {
            reject(
              new UnexpectedResponseError({
                requestType: eventType,
                expected: expected.name,
                received: response.constructor.name,
              }),
            );
          }
        },
      };
      this.pending.set(id, entry);
      const timeout = timer(timeoutMs, scheduler).subscribe({
        next: () =>
          this.settle(id)?.reject(new RequestTimeoutError({ eventType, requestId: id, target, timeoutMs })),
      });
      if (this.pending.get(id) === entry) entry.timeout = timeout;
    });
  }

  /** Is this request (still) waiting for `from`? */
  awaits(id: string, from: string): boolean {
    return this.pending.get(id)?.target === from;
  }

  /** Deliver a response from endpoint `from`; ignored unless the request waits for that endpoint. */
  respond(id: string, from: string, response: BaseEvent): boolean {
    if (!this.awaits(id, from)) return false;
    this.settle(id)?.resolve(response);
    return true;
  }

  /** Fail a request with `error` (e.g. its send failed). */
  fail(id: string, error: GolemRxError): void {
    this.settle(id)?.reject(error);
  }

  /** The responder `from` has no subscriber for request `id` after all. */
  noResponder(id: string, from: string): void {
    const p = this.pending.get(id);
    if (p?.target !== from) return;
    this.settle(id)?.reject(new NoSubscribersError({ eventType: p.eventType, target: from }));
  }

  /** Reject every request waiting for `endpoint`, which disconnected. */
  disconnected(endpoint: string, cause?: unknown): void {
    for (const [id, p] of [...this.pending]) {
      if (p.target === endpoint) {
        this.settle(id)?.reject(
          new RemoteDisconnectedError(
            { endpoint, requestId: id },
            cause === undefined ? undefined : { cause },
          ),
        );
      }
    }
  }

  /** Reject everything (the endpoint closed). */
  rejectAll(error: (id: string) => GolemRxError): void {
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(error(id));
  }

  private settle(id: string): Pending | undefined {
    const p = this.pending.get(id);
    if (p === undefined) return undefined;
    this.pending.delete(id);
    p.timeout?.unsubscribe();
    return p;
  }
}
