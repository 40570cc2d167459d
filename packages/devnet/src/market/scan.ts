/**
 * Market scan (M18): an iterator over the offers matching a constraint (one way). Each
 * iterator returns every matching offer once, then answers `[]` after the poll timeout. An
 * iterator unused for its `timeout` seconds (default 30) disappears.
 */
import type { FastifyInstance } from 'fastify';
import { NEVER } from 'rxjs';
import type { OfferDto } from 'golem-rx';
import { DevnetHttpError } from '../errors/DevnetHttpError.js';
import { isJsonObject, maxEvents, queryParam, sendEmpty, sendJsonString, timeoutMs } from '../http.js';
import { answerDropped, type LongPolls } from '../longPoll.js';
import { isSubscriptionId, newSubscriptionId } from '../random.js';
import type { SimulatedProvider } from '../providers/types.js';
import { isConstraintSyntaxError, parseConstraints } from './constraints.js';
import type { MarketCore } from './core.js';
import { MARKET_BASE } from './demandRoutes.js';

interface ScanRecord {
  readonly id: string;
  readonly remaining: SimulatedProvider[];
  readonly ttlMs: number;
  lastUsedMs: number;
}

interface ScanParams {
  scanId: string;
}

/** The open scan iterators. */
export class ScanBook {
  private readonly scans = new Map<string, ScanRecord>();

  constructor(private readonly core: MarketCore) {}

  /** Open (unexpired) iterators. */
  get size(): number {
    this.sweep();
    return this.scans.size;
  }

  /** Registers `POST /scan`, `GET /scan/{id}/events`, `DELETE /scan/{id}`. */
  register(app: FastifyInstance, polls: LongPolls): void {
    app.post(`${MARKET_BASE}/scan`, async (request, reply) => {
      const body = request.body;
      if (!isJsonObject(body) || (body.type !== 'offer' && body.type !== 'demand')) {
        throw new DevnetHttpError(
          400,
          'Expected {"type": "offer" | "demand", "constraints"?: string, "timeout"?: number}',
        );
      }
      const text = typeof body.constraints === 'string' ? body.constraints : '()';
      let remaining: SimulatedProvider[];
      try {
        remaining = body.type === 'offer' ? this.core.offers.scan(parseConstraints(text)) : [];
      } catch (err) {
        if (isConstraintSyntaxError(err)) throw new DevnetHttpError(400, err.message);
        throw err;
      }
      const ttlSec = typeof body.timeout === 'number' && body.timeout > 0 ? body.timeout : 30;
      this.sweep();
      const scan: ScanRecord = {
        id: newSubscriptionId(this.core.ctx.random),
        remaining,
        ttlMs: ttlSec * 1000,
        lastUsedMs: this.core.clock.nowMs(),
      };
      this.scans.set(scan.id, scan);
      return sendJsonString(reply, 201, scan.id);
    });

    app.get<{ Params: ScanParams }>(`${MARKET_BASE}/scan/:scanId/events`, async (request, reply) => {
      const timeout = timeoutMs(request, 5);
      const max = maxEvents(request, 500, 1, 10_000);
      const peerId = queryParam(request, 'peerId');
      const scan = this.get(request.params.scanId);
      const batch: OfferDto[] = [];
      for (let i = 0; i < scan.remaining.length && batch.length < max;) {
        const p = scan.remaining[i]!;
        if (peerId !== undefined && peerId !== '' && p.id !== peerId) {
          i++;
          continue;
        }
        scan.remaining.splice(i, 1);
        batch.push({
          properties: p.properties,
          constraints: p.constraints,
          offerId: p.offerId,
          providerId: p.id,
          timestamp: p.timestamp,
        });
      }
      if (batch.length > 0) return reply.send(batch);
      // devnet's offers never change: an exhausted iterator waits out the timeout
      const outcome = await polls.wait(request, reply, {
        timeoutMs: timeout,
        check: () => undefined,
        wake$: NEVER,
      });
      if (outcome.kind === 'dropped') return answerDropped(reply);
      scan.lastUsedMs = this.core.clock.nowMs();
      return reply.send([]);
    });

    app.delete<{ Params: ScanParams }>(`${MARKET_BASE}/scan/:scanId`, async (request, reply) => {
      const scan = this.get(request.params.scanId);
      this.scans.delete(scan.id);
      return sendEmpty(reply, 204);
    });
  }

  private get(id: string): ScanRecord {
    if (!isSubscriptionId(id)) throw new DevnetHttpError(400, `Invalid scan id [${id}]`);
    this.sweep();
    const scan = this.scans.get(id);
    if (scan === undefined) throw new DevnetHttpError(404, `Scan [${id}] not found.`);
    scan.lastUsedMs = this.core.clock.nowMs();
    return scan;
  }

  private sweep(): void {
    const now = this.core.clock.nowMs();
    for (const [id, scan] of this.scans) if (now - scan.lastUsedMs > scan.ttlMs) this.scans.delete(id);
  }
}
