/**
 * Market scan (M18, REQUESTOR-GUIDE §3.9) as yagna's `ScannerSet` does it: `POST /scan` begins an
 * iterator over the offers whose properties satisfy its constraints (one way); every
 * `GET /scan/{id}/events` returns the offers it has not returned yet (`maxEvents` at a time,
 * default 500), or waits up to `timeout` s and answers `[]` (devnet's offers never change); with
 * `Accept: text/event-stream` it streams them as `event: offer` messages and stays open; with
 * `peerId` it answers at once with that provider's offers, on a cursor of their own (yagna's
 * direct path). Scan ids are a sequence of decimal numbers ("0", "1", …). An iterator lives
 * `timeout` s (default 300) after its last use, and while a request is using it; a daemon
 * restart loses them all (yagna keeps them in memory).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NEVER } from 'rxjs';
import type { OfferDto } from 'golem-rx';
import { DevnetHttpError } from '../errors/DevnetHttpError.js';
import { isJsonObject, queryParam, sendEmpty, sendJsonString, timeoutMs } from '../http.js';
import { answerDropped, type LongPolls } from '../longPoll.js';
import type { SimulatedProvider } from '../providers/types.js';
import { isConstraintSyntaxError, parseConstraints } from './constraints.js';
import type { MarketCore } from './core.js';
import { MARKET_BASE } from './demandRoutes.js';

/** yagna's default idle lifetime of a scan (`NewScan.timeout`), in seconds. */
export const DEFAULT_SCAN_TIMEOUT_SEC = 300;
/** yagna's default `maxEvents` of a scan poll. */
const DEFAULT_SCAN_MAX_EVENTS = 500;
/** yagna reads `maxEvents` as an i32. */
const MAX_I32 = 2_147_483_647;
/** yagna's direct path returns at least this many offers a call (`MAX_OFFERS_PER_QUERY`). */
const MIN_DIRECT_BATCH = 10;
const NODE_ID = /^0x[0-9a-f]{40}$/i;

interface ScanRecord {
  readonly id: string;
  /** The matching offers not returned yet (the iterator's cursor). */
  readonly remaining: SimulatedProvider[];
  /** Per peer, that provider's matching offers not returned yet by the direct path. */
  readonly direct: Map<string, SimulatedProvider[]>;
  readonly matches: readonly SimulatedProvider[];
  readonly ttlMs: number;
  lastUsedMs: number;
  /** Requests (polls, streams) using it now: it lives while they do. */
  inUse: number;
}

interface ScanParams {
  scanId: string;
}

/** The open scan iterators. */
export class ScanBook {
  private readonly scans = new Map<string, ScanRecord>();
  private readonly streams = new Set<FastifyReply>();
  private nextId = 0;

  constructor(private readonly core: MarketCore) {
    // yagna's scanners live in memory: a restart loses them (and cuts their streams)
    core.ctx.restart$.subscribe({
      next: () => this.forgetAll(),
      complete: () => this.forgetAll(),
    });
  }

  /** Open (unexpired) iterators. */
  get size(): number {
    this.sweep();
    return this.scans.size;
  }

  /** Registers `POST /scan`, `GET /scan/{id}/events`, `DELETE /scan/{id}`. */
  register(app: FastifyInstance, polls: LongPolls): void {
    app.post(`${MARKET_BASE}/scan`, async (request, reply) => {
      const scan = this.begin(request.body);
      return sendJsonString(reply, 201, scan.id);
    });

    app.get<{ Params: ScanParams }>(`${MARKET_BASE}/scan/:scanId/events`, async (request, reply) => {
      const timeout = timeoutMs(request, 5);
      const max = maxEventsOf(request);
      const peerId = queryParam(request, 'peerId');
      if (peerId !== undefined && !NODE_ID.test(peerId))
        throw new DevnetHttpError(400, `Invalid query parameter peerId: ${peerId}`);
      const scan = this.get(request.params.scanId);
      if (peerId !== undefined)
        return this.direct(request, reply, polls, scan, peerId.toLowerCase(), max, timeout);
      if (prefersEventStream(request.headers.accept)) return this.stream(reply, scan);
      const batch = take(scan.remaining, max);
      if (batch.length > 0 || max === 0) return reply.send(batch);
      scan.inUse++;
      // devnet's offers never change: an exhausted iterator waits out the timeout
      const outcome = await polls.wait(request, reply, {
        timeoutMs: timeout,
        check: () => undefined,
        wake$: NEVER,
      });
      scan.inUse--;
      scan.lastUsedMs = this.core.clock.nowMs();
      if (outcome.kind === 'dropped') return answerDropped(reply);
      return reply.send([]);
    });

    app.delete<{ Params: ScanParams }>(`${MARKET_BASE}/scan/:scanId`, async (request, reply) => {
      const scan = this.get(request.params.scanId);
      this.scans.delete(scan.id);
      return sendEmpty(reply, 204);
    });
  }

  /** `POST /scan`: checks the `NewScan` body and opens an iterator. */
  private begin(body: unknown): ScanRecord {
    if (!isJsonObject(body) || (body.type !== 'offer' && body.type !== 'demand')) {
      throw new DevnetHttpError(
        400,
        'Expected {"type": "offer" | "demand", "constraints"?: string, "timeout"?: number}',
      );
    }
    const { constraints, timeout } = body;
    if (constraints !== undefined && constraints !== null && typeof constraints !== 'string')
      throw new DevnetHttpError(400, 'constraints must be a string');
    if (
      timeout !== undefined &&
      timeout !== null &&
      !(Number.isSafeInteger(timeout) && (timeout as number) >= 0)
    )
      throw new DevnetHttpError(400, 'timeout must be a non-negative integer (seconds)');
    let matches: SimulatedProvider[] = [];
    try {
      // yagna keeps no demands on the scan side ("for now we do not trace demands")
      if (body.type === 'offer')
        matches =
          typeof constraints === 'string'
            ? this.core.offers.scan(parseConstraints(constraints))
            : [...this.core.offers.providers];
    } catch (err) {
      if (isConstraintSyntaxError(err)) throw new DevnetHttpError(400, `Invalid constraint. ${err.message}`);
      throw err;
    }
    this.sweep();
    const scan: ScanRecord = {
      id: String(this.nextId++),
      remaining: [...matches],
      direct: new Map(),
      matches,
      ttlMs: (typeof timeout === 'number' ? timeout : DEFAULT_SCAN_TIMEOUT_SEC) * 1000,
      lastUsedMs: this.core.clock.nowMs(),
      inUse: 0,
    };
    this.scans.set(scan.id, scan);
    return scan;
  }

  /**
   * The direct path (`peerId`): that provider's matching offers not returned yet by it, at least
   * {@link MIN_DIRECT_BATCH} a call, at once (`[]` when none are left). A peer that is not a
   * provider never answers: 504 after the timeout, as yagna's `FetchTimeout`.
   */
  private async direct(
    request: FastifyRequest,
    reply: FastifyReply,
    polls: LongPolls,
    scan: ScanRecord,
    peerId: string,
    max: number,
    timeout: number,
  ): Promise<FastifyReply> {
    if (this.core.offers.provider(peerId) !== undefined) {
      let left = scan.direct.get(peerId);
      if (left === undefined) {
        left = scan.matches.filter((p) => p.id === peerId);
        scan.direct.set(peerId, left);
      }
      return reply.send(take(left, Math.max(max, MIN_DIRECT_BATCH)));
    }
    scan.inUse++;
    const outcome = await polls.wait(request, reply, {
      timeoutMs: timeout,
      check: () => undefined,
      wake$: NEVER,
    });
    scan.inUse--;
    if (outcome.kind === 'dropped') return answerDropped(reply);
    throw new DevnetHttpError(504, 'Timeout while attempting to fetch data from a peer');
  }

  /**
   * `Accept: text/event-stream`: every offer not returned yet as `event: offer\ndata: <Offer>\n\n`,
   * then the stream stays open (yagna waits for new offers; devnet's never change) until the
   * client leaves, a restart or `stop()`.
   */
  private stream(reply: FastifyReply, scan: ScanRecord): FastifyReply {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const offer of take(scan.remaining, Infinity))
      res.write(`event: offer\ndata: ${JSON.stringify(offer)}\n\n`);
    scan.inUse++;
    this.streams.add(reply);
    res.once('close', () => {
      scan.inUse--;
      scan.lastUsedMs = this.core.clock.nowMs();
      this.streams.delete(reply);
    });
    return reply;
  }

  private get(id: string): ScanRecord {
    this.sweep();
    const scan = this.scans.get(id);
    // yagna parses the id as a u64 first: a malformed one is "not found" too
    if (scan === undefined) throw new DevnetHttpError(404, `Iterator with id "${id}" not found`);
    scan.lastUsedMs = this.core.clock.nowMs();
    return scan;
  }

  private sweep(): void {
    const now = this.core.clock.nowMs();
    for (const [id, scan] of this.scans)
      if (scan.inUse === 0 && now - scan.lastUsedMs > scan.ttlMs) this.scans.delete(id);
  }

  private forgetAll(): void {
    this.scans.clear();
    for (const reply of [...this.streams]) reply.raw.destroy();
  }
}

/** Removes and returns up to `max` offers from the front of `offers`, as yagna's `Offer`s. */
function take(offers: SimulatedProvider[], max: number): OfferDto[] {
  return offers.splice(0, max).map((p) => ({
    properties: p.properties,
    constraints: p.constraints,
    offerId: p.offerId,
    providerId: p.id,
    timestamp: p.timestamp,
  }));
}

/** `maxEvents` of a scan poll: default 500; yagna reads an i32 (devnet refuses a negative one). */
function maxEventsOf(request: FastifyRequest): number {
  const text = queryParam(request, 'maxEvents');
  if (text === undefined || text === '') return DEFAULT_SCAN_MAX_EVENTS;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > MAX_I32)
    throw new DevnetHttpError(400, `Invalid query parameter maxEvents: ${text}`);
  return n;
}

/**
 * Does the `Accept` header prefer `text/event-stream`? As actix's `Accept::preference`: the
 * media range of the highest quality, the first one on a tie; `*\/*` without a header.
 */
export function prefersEventStream(accept: string | string[] | undefined): boolean {
  const ranges = (Array.isArray(accept) ? accept.join(',') : (accept ?? '')).split(',');
  let best: string | undefined;
  let bestQ = 0;
  for (const range of ranges) {
    const [type = '', ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    if (type === '') continue;
    const q = params.find((p) => p.startsWith('q='));
    const quality = q === undefined ? 1 : Number(q.slice(2));
    if (Number.isFinite(quality) && quality > bestQ) {
      best = type;
      bestQ = quality;
    }
  }
  return best === 'text/event-stream';
}
