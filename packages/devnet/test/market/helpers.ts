/** Helpers of the devnet tests: plain `fetch` over loopback, a demand body that matches. */
import type { MarketEventDto, ProposalDto } from 'golem-rx';
import { startDevnet, type DevnetHandle, type DevnetOptions } from '../../src/index.js';

export const MARKET = '/market-api/v1';

export interface Answer<T = unknown> {
  status: number;
  body: T;
  text: string;
  contentType: string | null;
}

/** A tiny client bound to one devnet (app key sent as a Bearer token). */
export interface Client {
  devnet: DevnetHandle;
  call<T = unknown>(method: string, path: string, body?: unknown, init?: RequestInit): Promise<Answer<T>>;
  get<T = unknown>(path: string): Promise<Answer<T>>;
  post<T = unknown>(path: string, body?: unknown): Promise<Answer<T>>;
}

export async function devnetClient(options: DevnetOptions = {}): Promise<Client> {
  const devnet = await startDevnet({ port: 0, appKey: 'test-key', ...options });
  const call = async <T>(
    method: string,
    path: string,
    body?: unknown,
    init: RequestInit = {},
  ): Promise<Answer<T>> => {
    const headers: Record<string, string> = { authorization: `Bearer ${devnet.appKey}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(devnet.url + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      ...init,
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed as T, text, contentType: res.headers.get('content-type') };
  };
  return {
    devnet,
    call,
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
  };
}

/** Demand properties that pass every simulated provider's checks (10 minutes expiration). */
export function demandProperties(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'golem.srv.comp.expiration': Date.now() + 10 * 60_000,
    'golem.node.debug.subnet': 'public',
    'golem.srv.caps.multi-activity': true,
    ...extra,
  };
}

export const VM_CONSTRAINTS =
  '(&(golem.runtime.name=vm)(golem.inf.mem.gib>=0.5)(golem.node.debug.subnet=public))';

/** Subscribes a demand and returns its id. */
export async function subscribe(
  c: Client,
  properties = demandProperties(),
  constraints = VM_CONSTRAINTS,
): Promise<string> {
  const res = await c.post<string>(`${MARKET}/demands`, { properties, constraints });
  if (res.status !== 201) throw new Error(`subscribe: ${res.status} ${res.text}`);
  return res.body;
}

/** Collects offer events until `predicate` finds one (safety net: 50 polls). */
export async function collectUntil(
  c: Client,
  demandId: string,
  predicate: (e: MarketEventDto) => boolean,
): Promise<MarketEventDto> {
  for (let i = 0; i < 50; i++) {
    const res = await c.get<MarketEventDto[]>(`${MARKET}/demands/${demandId}/events?timeout=1&maxEvents=100`);
    if (res.status !== 200) throw new Error(`collectOffers: ${res.status} ${res.text}`);
    const hit = res.body.find(predicate);
    if (hit !== undefined) return hit;
  }
  throw new Error('event never came');
}

/** Subscribes, takes the first offer, counters it with a chosen platform, returns the provider's Draft. */
export async function negotiateDraft(
  c: Client,
  extra: Record<string, unknown> = {},
): Promise<{
  demandId: string;
  offer: ProposalDto;
  counterId: string;
  draft: ProposalDto;
  event: MarketEventDto;
}> {
  const properties = demandProperties(extra);
  const demandId = await subscribe(c, properties);
  const first = await c.get<MarketEventDto[]>(`${MARKET}/demands/${demandId}/events?timeout=1&maxEvents=1`);
  const offer = proposalOf(first.body[0]);
  const counter = await c.post<string>(`${MARKET}/demands/${demandId}/proposals/${offer.proposalId}`, {
    properties: { ...properties, 'golem.com.payment.chosen-platform': 'erc20-hoodi-tglm' },
    constraints: VM_CONSTRAINTS,
  });
  if (counter.status !== 200) throw new Error(`counter: ${counter.status} ${counter.text}`);
  const counterId = counter.body;
  const event = await collectUntil(c, demandId, (e) => answers(e, counterId));
  return { demandId, offer, counterId, draft: proposalOf(event), event };
}

/** Creates an agreement from a fresh Draft; optionally confirms it. */
export async function newAgreement(c: Client, confirmWith?: string): Promise<string> {
  const { draft } = await negotiateDraft(c);
  const res = await c.post<string>(`${MARKET}/agreements`, {
    proposalId: draft.proposalId,
    validTo: new Date(Date.now() + 3600_000).toISOString(),
  });
  if (res.status !== 200) throw new Error(`createAgreement: ${res.status} ${res.text}`);
  if (confirmWith !== undefined) {
    const confirm = await c.post(`${MARKET}/agreements/${res.body}/confirm?appSessionId=${confirmWith}`);
    if (confirm.status !== 204) throw new Error(`confirm: ${confirm.status} ${confirm.text}`);
  }
  return res.body;
}

/** The proposal of a ProposalEvent (throws on any other event). */
export function proposalOf(event: MarketEventDto | undefined): ProposalDto {
  if (event?.eventType !== 'ProposalEvent') throw new Error(`not a ProposalEvent: ${JSON.stringify(event)}`);
  return event.proposal;
}

/** Is `event` the provider's answer (Draft or rejection) to our proposal `counterId`? */
export function answers(event: MarketEventDto, counterId: string): boolean {
  if (event.eventType === 'ProposalEvent') return event.proposal.prevProposalId === counterId;
  return event.eventType === 'ProposalRejectedEvent' && event.proposalId === counterId;
}

/** Waits until the market holds `n` long-polls open (so a test can act on a pending poll). */
export async function untilPendingPolls(c: Client, n: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (c.devnet.stats().pending.longPolls === n) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`never saw ${n} pending long-polls`);
}
