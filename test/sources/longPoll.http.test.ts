import { once } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { SourceHealth } from '../../src/sources/index.js';
import { persistentLogSource } from '../../src/sources/index.js';

interface LogEvent {
  eventType: string;
  eventDate: string;
  agreementId: string;
}

/**
 * A tiny persistent log over loopback HTTP, shaped like yagna's `collectAgreementEvents`:
 * `GET /events?afterTimestamp=…` answers the events after the cursor at once, or holds the
 * request until an event is appended (no server timeout: a held request only ends by abort).
 */
class LogServer {
  readonly log: LogEvent[] = [];
  readonly requests: (string | null)[] = [];
  readonly aborted: (string | null)[] = [];
  private readonly held = new Set<() => void>();

  /** How many requests are held, waiting for an event after their cursor. */
  get holding(): number {
    return this.held.size;
  }
  private server: Server | undefined;
  port = 0;

  async start(port = 0): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.listen(port, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Drops every connection and stops listening: yagna going down. */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  append(agreementId: string, eventDate: string): void {
    this.log.push({ eventType: 'AgreementApprovedEvent', eventDate, agreementId });
    for (const wake of [...this.held]) wake();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const after = new URL(req.url ?? '/', 'http://x').searchParams.get('afterTimestamp');
    this.requests.push(after);
    const answer = (): boolean => {
      const events = this.log.filter((e) => after === null || Date.parse(e.eventDate) > Date.parse(after));
      if (events.length === 0) return false;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(events));
      return true;
    };
    if (answer()) return;
    const wake = (): void => {
      if (answer()) this.held.delete(wake);
    };
    this.held.add(wake);
    res.on('close', () => {
      if (this.held.delete(wake)) this.aborted.push(after);
    });
  }
}

const servers: LogServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function startServer(): Promise<LogServer> {
  const server = new LogServer();
  servers.push(server);
  await server.start();
  return server;
}

/** The Promise adapter the `src/api` client will provide: reads the body inside the call. */
function fetchEvents(port: number) {
  const signals: AbortSignal[] = [];
  const fetchBatch = async (after: string | undefined, signal: AbortSignal): Promise<LogEvent[]> => {
    signals.push(signal);
    const query = after === undefined ? '' : `?afterTimestamp=${encodeURIComponent(after)}`;
    const res = await fetch(`http://127.0.0.1:${port}/events${query}`, { signal });
    return (await res.json()) as LogEvent[];
  };
  return { fetchBatch, signals };
}

const until = async (condition: () => boolean): Promise<void> => {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
};

describe('long-poll over real loopback HTTP (Promise adapter)', () => {
  it('delivers events, passes the cursor, and aborts only the request still in flight', async () => {
    const server = await startServer();
    server.append('a1', '2024-05-28T15:00:01.5Z');
    server.append('a2', '2024-05-28T15:00:02Z');
    const { fetchBatch, signals } = fetchEvents(server.port);
    const source = persistentLogSource<LogEvent>({ fetchBatch, lookbackMs: 0 });

    const firstTwo = await firstValueFrom(source.events$.pipe(take(2), toArray()));
    expect(firstTwo.map((e) => e.agreementId)).toEqual(['a1', 'a2']);
    expect(signals[0]?.aborted).toBe(false);

    // a second subscriber continues after a2: its request is held, then aborted when it leaves
    const subscription = source.events$.subscribe({
      error: (err: unknown) => expect.unreachable(String(err)),
    });
    await until(() => server.requests.length === 2);
    subscription.unsubscribe();
    await until(() => server.aborted.length === 1);
    expect(server.requests).toEqual([null, '2024-05-28T15:00:02Z']);
    expect(server.aborted).toEqual(['2024-05-28T15:00:02Z']);
    expect(signals.map((s) => s.aborted)).toEqual([false, true]);
  });

  it('survives a daemon restart: reports unreachable, then recovered, and loses or repeats nothing', async () => {
    const server = await startServer();
    server.append('a1', '2024-05-28T15:00:01Z');
    const health: SourceHealth[] = [];
    const { fetchBatch } = fetchEvents(server.port);
    const source = persistentLogSource<LogEvent>({
      fetchBatch,
      backoff: { initialMs: 5, maxMs: 20 },
      onHealth: (h) => health.push(h),
    });

    const received: string[] = [];
    const done = firstValueFrom(source.events$.pipe(take(3), toArray()));
    const tap = source.events$.subscribe({
      next: (e) => received.push(e.agreementId),
      error: (err: unknown) => expect.unreachable(String(err)),
    });
    await until(() => received.length === 1 && server.requests.length === 2);

    await server.stop();
    await until(() => health.length >= 2);
    server.append('a2', '2024-05-28T15:00:02Z');
    server.append('a3', '2024-05-28T15:00:03Z');
    const requestsBeforeRestart = server.requests.length;
    await server.start(server.port);

    const all = await done;
    tap.unsubscribe();
    expect(all.map((e) => e.agreementId)).toEqual(['a1', 'a2', 'a3']);
    expect(received).toEqual(['a1', 'a2', 'a3']);
    expect(health[0]).toMatchObject({ kind: 'unreachable', attempt: 1 });
    expect(health.at(-1)).toMatchObject({ kind: 'recovered' });
    expect(server.requests[requestsBeforeRestart]).toBe('2024-05-28T15:00:01Z');
  });

  it('looks back: an event logged behind the cursor arrives once, where a cursor-only reader misses it', async () => {
    const server = await startServer();
    server.append('a1', '2024-05-28T15:00:01Z');
    server.append('a2', '2024-05-28T15:00:03Z');
    const withLookback = persistentLogSource<LogEvent>({ ...fetchEvents(server.port), minIntervalMs: 0 });
    const cursorOnly = persistentLogSource<LogEvent>({ ...fetchEvents(server.port), lookbackMs: 0 });
    const got: Record<'withLookback' | 'cursorOnly', string[]> = { withLookback: [], cursorOnly: [] };
    const fail = (err: unknown) => expect.unreachable(String(err));
    const subscriptions = [
      withLookback.events$.subscribe({ next: (e) => got.withLookback.push(e.agreementId), error: fail }),
      cursorOnly.events$.subscribe({ next: (e) => got.cursorOnly.push(e.agreementId), error: fail }),
    ];
    // both long-poll after a2, held by the server
    await until(() => server.holding === 2);

    server.append('a3', '2024-05-28T15:00:02Z'); // out of order: wakes neither
    server.append('a4', '2024-05-28T15:00:04Z');
    await until(() => got.withLookback.length === 4 && got.cursorOnly.length === 3 && server.holding === 2);
    const requests = server.requests.length;
    subscriptions.forEach((s) => s.unsubscribe());

    expect(got.withLookback).toEqual(['a1', 'a2', 'a4', 'a3']);
    expect(got.cursorOnly).toEqual(['a1', 'a2', 'a4']);
    // each look-back was one read of the window and one page, then a held long-poll
    expect(
      server.requests.slice(0, requests).filter((after) => after !== null && after < '2024-05-28T15:00:01'),
    ).toEqual(['2024-05-28T14:59:58.000000000Z', '2024-05-28T14:59:59.000000000Z']);
  });
});
