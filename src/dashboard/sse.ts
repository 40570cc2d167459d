/**
 * The dashboard's Server-Sent Events stream: the JSON status on connect, then at most every
 * `throttleMs` while it changes, and a comment line as a heartbeat.
 *
 * @module
 */
import type { ServerResponse } from 'node:http';
import {
  type Observable,
  type SchedulerLike,
  type Subscription,
  interval,
  map,
  merge,
  throttleTime,
} from 'rxjs';
import { toStatusJson } from '../integrations/statusJson.js';
import type { StatusState } from '../integrations/statusModel.js';

/** How the stream is paced. */
export interface SseConfig {
  readonly throttleMs: number;
  readonly heartbeatMs: number;
  readonly scheduler: SchedulerLike;
}

/** The frames of the stream: `event: status` with the JSON status, and `: ping` heartbeats. */
export function sseFrames(state$: Observable<StatusState>, config: SseConfig): Observable<string> {
  const status$ = state$.pipe(
    throttleTime(config.throttleMs, config.scheduler, { leading: true, trailing: true }),
    map((state) => `event: status\ndata: ${JSON.stringify(toStatusJson(state))}\n\n`),
  );
  const heartbeat$ = interval(config.heartbeatMs, config.scheduler).pipe(map(() => ': ping\n\n'));
  return merge(status$, heartbeat$);
}

/**
 * Streams `frames` to `res` until the client goes away (then unsubscribes) or `frames` ends
 * (then ends the response). An error of `frames` ends the response and goes to `onError`.
 * @returns the subscription, to end the stream from the server's side
 */
export function pipeSse(
  frames: Observable<string>,
  res: ServerResponse,
  onError: (err: unknown) => void,
): Subscription {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-content-type-options': 'nosniff',
  });
  res.write('retry: 2000\n\n');
  const subscription = frames.subscribe({
    next: (frame) => void res.write(frame),
    error: (err: unknown) => {
      res.end();
      onError(err);
    },
    complete: () => res.end(),
  });
  subscription.add(() => {
    if (!res.writableEnded) res.end();
  });
  res.once('close', () => subscription.unsubscribe());
  return subscription;
}
