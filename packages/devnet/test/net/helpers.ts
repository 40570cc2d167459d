/**
 * Helpers of the net tests: raw HTTP against a devnet (as any requestor SDK would talk to yagna),
 * a rental of one provider through the market (agreement approved, activity created), ExeScript
 * batches, and a websocket to a TCP port in a network.
 */
import WebSocket from 'ws';
import type { DevnetHandle } from '../../src/index.js';
import type { ExeScriptCommandResultDto } from 'golem-rx';

/** A parsed response. */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

/** One request with the app key; the body sent as JSON when given. */
export async function call(
  devnet: DevnetHandle,
  method: string,
  path: string,
  body?: unknown,
): Promise<Reply> {
  const res = await fetch(`${devnet.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${devnet.appKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, text };
}

/** The body of a 2xx answer (throws on any other). */
export async function ok<T>(devnet: DevnetHandle, method: string, path: string, body?: unknown): Promise<T> {
  const res = await call(devnet, method, path, body);
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${res.text}`);
  return res.body as T;
}

/** A rented provider: an approved agreement and an activity on it (not deployed). */
export interface Rental {
  readonly agreementId: string;
  readonly activityId: string;
  readonly providerId: string;
}

/** Rents `count` distinct providers through the market, with raw HTTP. */
export async function rent(devnet: DevnetHandle, count: number): Promise<Rental[]> {
  const allocation = await ok<{ allocationId: string }>(devnet, 'POST', '/payment-api/v1/allocations', {
    totalAmount: '10',
    paymentPlatform: 'erc20-holesky-tglm',
  });
  const decoration = await ok<{ properties: { key: string; value: unknown }[]; constraints: string[] }>(
    devnet,
    'GET',
    `/payment-api/v1/demandDecorations?allocationIds=${allocation.allocationId}`,
  );
  const properties: Record<string, unknown> = {
    'golem.srv.comp.expiration': Date.now() + 20 * 60_000,
    'golem.node.debug.subnet': 'public',
    'golem.srv.comp.task_package': 'hash:sha3:abc:http://127.0.0.1/app.gvmi',
  };
  for (const p of decoration.properties) properties[p.key] = p.value;
  const demand = { properties, constraints: `(&(golem.runtime.name=vm)${decoration.constraints.join('')})` };
  const subscriptionId = await ok<string>(devnet, 'POST', '/market-api/v1/demands', demand);
  const countered = new Map<string, string>(); // counter id → provider id
  const drafts = new Map<string, string>(); // provider id → draft id
  while (drafts.size < count) {
    const events = await ok<
      {
        eventType: string;
        proposal?: { proposalId: string; state: string; prevProposalId?: string; issuerId: string };
      }[]
    >(devnet, 'GET', `/market-api/v1/demands/${subscriptionId}/events?timeout=3&maxEvents=50`);
    for (const { proposal } of events) {
      if (proposal === undefined) continue;
      if (proposal.state === 'Initial' && countered.size < count) {
        if ([...countered.values()].includes(proposal.issuerId)) continue;
        const counterId = await ok<string>(
          devnet,
          'POST',
          `/market-api/v1/demands/${subscriptionId}/proposals/${proposal.proposalId}`,
          {
            properties: { ...properties, 'golem.com.payment.chosen-platform': 'erc20-holesky-tglm' },
            constraints: demand.constraints,
          },
        );
        countered.set(counterId, proposal.issuerId);
      } else if (proposal.state === 'Draft' && countered.has(proposal.prevProposalId ?? '')) {
        drafts.set(proposal.issuerId, proposal.proposalId);
      }
    }
  }
  const rentals: Rental[] = [];
  for (const [providerId, proposalId] of drafts) {
    const agreementId = await ok<string>(devnet, 'POST', '/market-api/v1/agreements', {
      proposalId,
      validTo: new Date(Date.now() + 3_600_000).toISOString(),
    });
    await ok(devnet, 'POST', `/market-api/v1/agreements/${agreementId}/confirm`);
    await call(devnet, 'POST', `/market-api/v1/agreements/${agreementId}/wait?timeout=10`);
    const { activityId } = await ok<{ activityId: string }>(devnet, 'POST', '/activity-api/v1/activity', {
      agreementId,
    });
    rentals.push({ agreementId, activityId, providerId });
  }
  return rentals;
}

/** Runs an ExeScript batch and returns its results once it has finished. */
export async function exec(
  devnet: DevnetHandle,
  activityId: string,
  commands: readonly unknown[],
): Promise<ExeScriptCommandResultDto[]> {
  const batchId = await ok<string>(devnet, 'POST', `/activity-api/v1/activity/${activityId}/exec`, {
    text: JSON.stringify(commands),
  });
  return ok<ExeScriptCommandResultDto[]>(
    devnet,
    'GET',
    `/activity-api/v1/activity/${activityId}/exec/${batchId}?timeout=10`,
  );
}

/** A `run` of a shell command line, output captured. */
export function sh(command: string): unknown {
  const capture = { stdout: { atEnd: { format: 'string' } }, stderr: { atEnd: { format: 'string' } } };
  return { run: { entry_point: '/bin/sh', args: ['-c', command], capture } };
}

/** The outcome of opening a websocket: open, or refused with a status and body. */
export type Opened = { readonly ws: WebSocket } | { readonly status: number; readonly body: string };

/** Opens the TCP websocket of `path` (under the devnet URL), with the app key unless `appKey` is given. */
export function openTcp(devnet: DevnetHandle, path: string, appKey = devnet.appKey): Promise<Opened> {
  return new Promise<Opened>((resolve, reject) => {
    const ws = new WebSocket(`${devnet.url.replace(/^http/, 'ws')}${path}`, {
      headers: { authorization: `Bearer ${appKey}` },
    });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.once('end', () => {
        resolve({ status: response.statusCode ?? 0, body });
        ws.terminate();
      });
    });
    ws.once('error', (error) => reject(error));
  });
}

/** Sends `bytes` and collects what comes back until the websocket closes. */
export function exchange(ws: WebSocket, bytes: string | Buffer, closeAfter?: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    ws.on('message', (data: Buffer) => {
      chunks.push(data);
      length += data.length;
      if (closeAfter !== undefined && length >= closeAfter) ws.close(1000);
    });
    ws.once('close', () => resolve(Buffer.concat(chunks)));
    ws.send(bytes);
  });
}
