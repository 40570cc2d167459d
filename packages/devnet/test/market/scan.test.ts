/**
 * Market scan (M18) as yagna's ScannerSet: ids, statuses and messages, the iterator's cursor,
 * its idle lifetime, the event-stream variant, the direct path (`peerId`), and a restart.
 */
import { type SchedulerAction, type SchedulerLike, type Subscription, asyncScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { OfferDto } from 'golem-rx';
import { MARKET, devnetClient, untilPendingPolls, type Client } from './helpers.js';

let c: Client | undefined;

afterEach(async () => {
  await c?.devnet.stop();
  c = undefined;
});

async function begin(client: Client, body: Record<string, unknown> = { type: 'offer' }): Promise<string> {
  const res = await client.post<string>(`${MARKET}/scan`, body);
  if (res.status !== 201) throw new Error(`beginScan: ${res.status} ${res.text}`);
  return res.body;
}

const events = (client: Client, id: string, query = 'timeout=0') =>
  client.get<OfferDto[]>(`${MARKET}/scan/${id}/events?${query}`);

/** The real clock, moved forward by `advance(ms)`: time passes for devnet without a test waiting. */
function shiftedClock(): { scheduler: SchedulerLike; advance: (ms: number) => void } {
  let offset = 0;
  const scheduler: SchedulerLike = {
    now: () => asyncScheduler.now() + offset,
    schedule<T>(
      work: (this: SchedulerAction<T>, state?: T) => void,
      delay?: number,
      state?: T,
    ): Subscription {
      return asyncScheduler.schedule(work, delay, state);
    },
  };
  return { scheduler, advance: (ms) => (offset += ms) };
}

describe('devnet market scan', () => {
  it('numbers scans "0", "1", …; an unknown or malformed id is 404 "Iterator … not found", as yagna', async () => {
    c = await devnetClient({ providers: 3 });
    expect(await begin(c)).toBe('0');
    expect(await begin(c)).toBe('1');
    for (const id of ['7', 'abc']) {
      const res = await events(c, id);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ message: `Iterator with id "${id}" not found` });
      expect((await c.call('DELETE', `${MARKET}/scan/${id}`)).status).toBe(404);
    }
    expect((await c.call('DELETE', `${MARKET}/scan/1`)).status).toBe(204);
    expect((await events(c, '1')).status).toBe(404);
    expect(c.devnet.stats().scans).toBe(1);
  });

  it('checks the NewScan body: type, constraints (a string, parsed), timeout (whole seconds)', async () => {
    c = await devnetClient({ providers: 3 });
    const status = async (body: unknown) => (await c!.post(`${MARKET}/scan`, body)).status;
    expect(await status({})).toBe(400);
    expect(await status({ type: 'offers' })).toBe(400);
    expect(await status({ type: 'offer', constraints: 5 })).toBe(400);
    expect(await status({ type: 'offer', timeout: -1 })).toBe(400);
    expect(await status({ type: 'offer', timeout: 1.5 })).toBe(400);
    const invalid = await c.post<{ message: string }>(`${MARKET}/scan`, {
      type: 'offer',
      constraints: '(a=',
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.message).toMatch(/^Invalid constraint\. /);
    expect(await status({ type: 'offer', constraints: null, timeout: null })).toBe(201);
    expect(await status({ type: 'demand', timeout: 0 })).toBe(201);
  });

  it('returns each matching offer once, maxEvents at a time (0: none, at once), then [] after the timeout', async () => {
    c = await devnetClient({ providers: 8, seed: 4 });
    const all = await begin(c);
    const id = await begin(c, { type: 'offer', constraints: '(golem.inf.cpu.threads>=4)' });
    expect((await events(c, id, 'timeout=0&maxEvents=0')).body).toEqual([]);
    const first = await events(c, id, 'timeout=0&maxEvents=2');
    const rest = await events(c, id, 'timeout=0');
    expect(first.body).toHaveLength(2);
    const offers = [...first.body, ...rest.body];
    expect(offers.every((o) => (o.properties['golem.inf.cpu.threads'] as number) >= 4)).toBe(true);
    expect(new Set(offers.map((o) => o.offerId)).size).toBe(offers.length);
    const expected = c.devnet.providers.filter((p) => offers.some((o) => o.providerId === p.id));
    expect(offers.map((o) => o.offerId).sort()).toEqual(expected.map((p) => p.offerId).sort());
    expect((await events(c, id, 'timeout=0.05')).body).toEqual([]);
    // without constraints: every offer
    expect((await events(c, all)).body).toHaveLength(8);
    expect((await events(c, id, 'maxEvents=-1')).status).toBe(400);
    expect((await events(c, id, 'maxEvents=x')).status).toBe(400);
  });

  it('a scan for demands finds none ([] after the timeout), as yagna', async () => {
    c = await devnetClient({ providers: 3 });
    const id = await begin(c, { type: 'demand' });
    expect((await events(c, id, 'timeout=0.05')).body).toEqual([]);
  });

  it('lives its timeout (default 300 s) after its last use, and while a poll holds it', async () => {
    const clock = shiftedClock();
    c = await devnetClient({ providers: 2, scheduler: clock.scheduler });
    const short = await begin(c, { type: 'offer', timeout: 10 });
    const long = await begin(c);
    clock.advance(9_000);
    expect((await events(c, short)).status).toBe(200); // used: 10 s more
    clock.advance(9_000);
    expect((await events(c, short)).status).toBe(200);
    const held = events(c, short, 'timeout=30');
    await untilPendingPolls(c, 1);
    clock.advance(20_000); // idle for longer than its timeout, but in use
    expect(c.devnet.stats().scans).toBe(2);
    c.devnet.restart(); // ends the held poll (and loses the scans)
    await held.catch(() => undefined);
    expect(c.devnet.stats().scans).toBe(0);
    const again = await begin(c, { type: 'offer', timeout: 10 });
    clock.advance(10_001);
    expect((await events(c, again)).status).toBe(404);
    const fresh = await begin(c);
    clock.advance(299_000);
    expect((await events(c, fresh)).status).toBe(200);
    clock.advance(300_001);
    expect((await events(c, fresh)).status).toBe(404);
    expect(long).toBe('1');
  });

  it('streams the offers as `event: offer` with Accept: text/event-stream, and stays open until a restart', async () => {
    c = await devnetClient({ providers: 4 });
    const id = await begin(c);
    const res = await fetch(`${c.devnet.url}${MARKET}/scan/${id}/events`, {
      headers: { authorization: `Bearer ${c.devnet.appKey}`, accept: 'text/event-stream' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while ((text.match(/\n\n/g) ?? []).length < 4) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended early: ${text}`);
      text += value;
    }
    const messages = text.split('\n\n').filter((m) => m !== '');
    expect(messages.every((m) => m.startsWith('event: offer\ndata: {'))).toBe(true);
    const offers = messages.map((m) => JSON.parse(m.slice('event: offer\ndata: '.length)) as OfferDto);
    expect(offers.map((o) => o.providerId).sort()).toEqual(c.devnet.providers.map((p) => p.id).sort());
    // the stream took them: a JSON poll finds none left
    expect((await events(c, id, 'timeout=0.05')).body).toEqual([]);
    c.devnet.restart();
    const end = await reader.read().then(
      ({ done }) => (done ? 'ended' : 'more'),
      () => 'ended',
    );
    expect(end).toBe('ended');
    expect((await events(c, id)).status).toBe(404); // a restart loses the scans
    // a scan that is not there: 404 before any stream
    const missing = await fetch(`${c.devnet.url}${MARKET}/scan/99/events`, {
      headers: { authorization: `Bearer ${c.devnet.appKey}`, accept: 'text/event-stream' },
    });
    expect(missing.status).toBe(404);
  });

  it('peerId: that provider’s offers at once, on a cursor of their own; an unknown peer times out (504)', async () => {
    c = await devnetClient({ providers: 3 });
    const id = await begin(c);
    const peer = c.devnet.providers[1]!;
    const direct = await events(c, id, `timeout=0&peerId=${peer.id}`);
    expect(direct.body.map((o) => o.offerId)).toEqual([peer.offerId]);
    expect((await events(c, id, `timeout=5&peerId=${peer.id}`)).body).toEqual([]); // at once
    expect((await events(c, id)).body).toHaveLength(3); // the main cursor is untouched
    const unknown = await events(c, id, `timeout=0.05&peerId=0x${'0'.repeat(40)}`);
    expect(unknown.status).toBe(504);
    expect((await events(c, id, 'peerId=nope')).status).toBe(400);
  });

  it('a restart drops a pending scan poll and loses every scan', async () => {
    c = await devnetClient({ providers: 2 });
    const id = await begin(c);
    await events(c, id);
    const client = c;
    const pending = events(client, id, 'timeout=30').then(
      (r) => `answered ${r.status}`,
      () => 'dropped',
    );
    await untilPendingPolls(client, 1);
    client.devnet.restart();
    expect(await pending).toBe('dropped');
    expect(client.devnet.stats().scans).toBe(0);
    expect((await events(client, id)).status).toBe(404);
    expect(await begin(client)).toBe('1'); // the sequence goes on
  });
});
