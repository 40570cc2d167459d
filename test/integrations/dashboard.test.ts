/**
 * The dashboard server over real loopback HTTP (no browser): the token on every route, the
 * page's headers, the JSON status, and the Server-Sent Events stream.
 */
import { Subject } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NewResource, NodeStarted } from '../../src/bus/events.js';
import { type DashboardHandle, type StatusEvent, type StatusJson, startDashboard } from '../../src/web.js';

const open: DashboardHandle[] = [];
afterEach(async () => {
  for (const d of open.splice(0)) await d.close();
});

async function start(events$ = new Subject<StatusEvent>(), token?: string) {
  const dashboard = await startDashboard({ events$, announce: false, throttleMs: 10, token });
  open.push(dashboard);
  return { dashboard, events$ };
}

/** Reads SSE frames from `/events`, calling `onStatus` with each status so far until it returns true. */
async function readStatuses(
  url: string,
  onStatus: (statuses: StatusJson[]) => boolean,
): Promise<StatusJson[]> {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const statuses: StatusJson[] = [];
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return statuses;
      buffer += value;
      const frames = buffer.split('\n\n');
      buffer = frames.pop() ?? '';
      for (const frame of frames) {
        const data = /^event: status\ndata: (.*)$/m.exec(frame);
        if (!data) continue;
        statuses.push(JSON.parse(data[1]!) as StatusJson);
        if (onStatus(statuses)) return statuses;
      }
    }
  } finally {
    controller.abort();
  }
  return statuses;
}

describe('startDashboard', () => {
  it('binds 127.0.0.1 and requires the token on the page, the status and the stream', async () => {
    const { dashboard } = await start();
    expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    for (const path of ['', 'status', 'events']) {
      const response = await fetch(`${dashboard.url}${path}`);
      expect(response.status, path).toBe(401);
      expect(await response.text()).not.toContain(dashboard.token);
      expect((await fetch(`${dashboard.url}${path}?token=nope`)).status).toBe(401);
    }
    expect((await fetch(`${dashboard.url}nothing-here?token=${dashboard.token}`)).status).toBe(404);
  });

  it('serves a self-contained page under a strict CSP', async () => {
    const { dashboard } = await start(undefined, 'fixed-token-for-this-test');
    expect(dashboard.token).toBe('fixed-token-for-this-test');
    const response = await fetch(`${dashboard.url}?token=fixed-token-for-this-test`);
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[\w+/=]+'/);
    expect(csp).toContain("connect-src 'self'");
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await response.text();
    expect(html).toContain('<script>');
    // no external script, style or URL (the SVG namespace is a name, not a request)
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!www\.w3\.org\/2000\/svg")/);
  });

  it('serves the JSON status with a bearer token', async () => {
    const { dashboard, events$ } = await start();
    events$.next(new NodeStarted({ baseUrl: 'http://127.0.0.1:7465' }));
    events$.next(new NewResource({ kind: 'Demand', id: 'd1' }));
    const response = await fetch(`${dashboard.url}status`, {
      headers: { authorization: `Bearer ${dashboard.token}` },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as StatusJson;
    expect(body).toMatchObject({ status: 'running', node: 'started', demands: { active: 1, total: 1 } });
  });

  it('streams the status on connect and as it changes', async () => {
    const { dashboard, events$ } = await start();
    const received = await readStatuses(`${dashboard.url}events?token=${dashboard.token}`, (statuses) => {
      if (statuses.length === 1) {
        // connected, with the initial model: now the node moves
        events$.next(new NewResource({ kind: 'Demand', id: 'd1' }));
        events$.next(new NewResource({ kind: 'Demand', id: 'd2' }));
      }
      return statuses.at(-1)?.demands.total === 2;
    });
    expect(received[0]?.demands.total).toBe(0);
    expect(received.at(-1)?.demands).toEqual({ active: 2, total: 2 });
  });

  it('ends open streams and stops listening on close; close is idempotent', async () => {
    const { dashboard } = await start();
    const response = await fetch(`${dashboard.url}events?token=${dashboard.token}`);
    const reader = response.body!.getReader();
    await reader.read(); // the stream is open
    const closing = dashboard.close();
    expect(dashboard.close()).toBe(closing);
    await closing;
    let done = false;
    while (!done) ({ done } = await reader.read());
    await expect(fetch(`${dashboard.url}status?token=${dashboard.token}`)).rejects.toThrow();
  });

  it('announces its URL with the token once, and keeps the token out of the handle’s JSON', async () => {
    const lines: string[] = [];
    const write = vi.spyOn(process.stderr, 'write');
    const dashboard = await startDashboard({
      events$: new Subject<StatusEvent>(),
      announce: (l) => lines.push(l),
    });
    open.push(dashboard);
    expect(lines).toEqual([`golem-rx dashboard: ${dashboard.url}?token=${dashboard.token}`]);
    expect(JSON.stringify(dashboard)).not.toContain(dashboard.token);
    expect(write).not.toHaveBeenCalled();
    write.mockRestore();
    await expect(startDashboard({ events$: new Subject<StatusEvent>(), token: '' })).rejects.toThrow(
      TypeError,
    );
  });
});
