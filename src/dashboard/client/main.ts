/**
 * The dashboard page's script: follows the status over Server-Sent Events and renders it.
 * Browser code, bundled into the page by `src/dashboard/generate.ts`.
 *
 * @module
 */
import type { StatusJson } from '../../integrations/statusJson.js';
import { text } from './dom.js';
import { render } from './render.js';

function connection(state: 'connecting' | 'live' | 'reconnecting' | 'closed'): void {
  text('connection', state);
  document.getElementById('connection')?.setAttribute('data-state', state);
}

function start(): void {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const source = new EventSource(`events?token=${encodeURIComponent(token)}`);
  let updates = 0;
  connection('connecting');
  source.addEventListener('open', () => connection('live'));
  source.addEventListener('error', () =>
    connection(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting'),
  );
  source.addEventListener('status', (event: MessageEvent<string>) => {
    render(JSON.parse(event.data) as StatusJson);
    updates++;
    document.body.setAttribute('data-updates', String(updates));
  });
}

start();
