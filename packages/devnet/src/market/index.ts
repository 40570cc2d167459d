/**
 * The market module of devnet: demands, offers of the simulated providers, negotiation,
 * agreements and their events, market scan, with real constraint matching both ways.
 * It owns agreements; the activity and payment modules see them through {@link MarketFacade}.
 */
import type { FastifyInstance } from 'fastify';
import type { Observable } from 'rxjs';
import { DevnetClock } from '../clock.js';
import type { AgreementView, DevnetContext, DevnetModule, MarketFacade } from '../contracts.js';
import { LongPolls } from '../longPoll.js';
import type { SimulatedProvider } from '../providers/types.js';
import { registerAgreementRoutes } from './agreementRoutes.js';
import { AgreementBook } from './agreements.js';
import { MarketCore, type MarketSettings } from './core.js';
import { registerDemandRoutes } from './demandRoutes.js';
import { OfferIndex } from './offerIndex.js';
import { ScanBook } from './scan.js';

/** Options of {@link createMarketModule}. */
export interface MarketModuleOptions extends Partial<MarketSettings> {
  /** The simulated providers whose offers make the market. */
  readonly providers: readonly SimulatedProvider[];
}

/** What `stats()` of the market contributes to `GET /_devnet/stats`. */
export interface MarketStats {
  demands: { active: number; expired: number; unsubscribed: number; subscribed: number };
  offers: number;
  proposals: {
    offered: number;
    countered: number;
    drafts: number;
    rejectedByProviders: number;
    rejectedByRequestor: number;
  };
  agreements: ReturnType<AgreementBook['countByState']>;
  scans: number;
  /** What is pending right now: long-polls held open and provider timers (leaks show here). */
  pending: { longPolls: number; timers: number };
}

/** The market module: routes, stats, and the facade the other modules use. */
export interface MarketModule extends DevnetModule, MarketFacade {
  readonly providers: readonly SimulatedProvider[];
  stats(): MarketStats & Record<string, unknown>;
  /** Pending long-polls and provider timers (leak checks in tests). */
  pending(): { longPolls: number; timers: number };
}

/** Default market tunables (document changes in docs/devnet.md). */
export const DEFAULT_MARKET_SETTINGS: MarketSettings = {
  thinkTimeMs: [5, 50],
  approvalDelayMs: [5, 30],
  maxAgreementsPerProvider: Infinity,
  demandTtlMs: 3600_000,
};

/** Creates the market module over `options.providers`. */
export function createMarketModule(ctx: DevnetContext, options: MarketModuleOptions): MarketModule {
  const settings: MarketSettings = {
    thinkTimeMs: options.thinkTimeMs ?? DEFAULT_MARKET_SETTINGS.thinkTimeMs,
    approvalDelayMs: options.approvalDelayMs ?? DEFAULT_MARKET_SETTINGS.approvalDelayMs,
    maxAgreementsPerProvider:
      options.maxAgreementsPerProvider ?? DEFAULT_MARKET_SETTINGS.maxAgreementsPerProvider,
    demandTtlMs: options.demandTtlMs ?? DEFAULT_MARKET_SETTINGS.demandTtlMs,
  };
  const core = new MarketCore(
    ctx,
    new DevnetClock(ctx.scheduler),
    new OfferIndex(options.providers),
    settings,
  );
  const book = new AgreementBook(core);
  const scans = new ScanBook(core);
  const polls = new LongPolls(ctx.scheduler, ctx.restart$);
  let closed = false;

  const agreementChanges$: Observable<AgreementView> = book.changes$;

  return {
    providers: options.providers,
    agreementChanges$,

    register(app: FastifyInstance): void {
      registerDemandRoutes(app, core, polls, (providerId) => book.activeCount(providerId));
      registerAgreementRoutes(app, core, book, polls);
      scans.register(app, polls);
    },

    stats() {
      const active = core.activeDemands().length;
      const c = core.counters;
      return {
        demands: {
          active,
          expired: core.demands.size - active,
          unsubscribed: c.demandsUnsubscribed,
          subscribed: c.demandsSubscribed,
        },
        offers: options.providers.length,
        proposals: {
          offered: c.proposalsOffered,
          countered: c.proposalsCountered,
          drafts: c.draftsReceived,
          rejectedByProviders: c.rejectedByProviders,
          rejectedByRequestor: c.rejectedByRequestor,
        },
        agreements: book.countByState(),
        scans: scans.size,
        pending: { longPolls: polls.size, timers: core.pendingTimers },
      };
    },

    pending: () => ({ longPolls: polls.size, timers: core.pendingTimers }),

    close(): void {
      if (closed) return;
      closed = true;
      polls.close();
      core.close();
      book.close();
    },

    getAgreement(agreementId: string): AgreementView | undefined {
      const a = book.agreements.get(agreementId);
      if (a === undefined) return undefined;
      book.refresh(a);
      return book.view(a);
    },

    terminateByProvider(agreementId: string, reason: { message: string; code: string }): void {
      book.terminateByProvider(agreementId, reason);
    },
  };
}
