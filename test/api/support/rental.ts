/**
 * The requestor's side of a rental, step by step with the raw client, for devnet tests:
 * allocation → decorated demand → counter → Draft → agreement → approval.
 */
import { randomUUID } from 'node:crypto';
import type { YagnaApi } from '../../../src/api/index.js';
import type { AllocationData } from '../../../src/api/paymentData.js';
import type {
  DemandOfferBaseDto,
  ExeScriptCommandDto,
  MarketEventDto,
  ProposalDto,
} from '../../../src/api/types/index.js';

/** Polls `fetch` until `pick` finds something in a batch, at most `rounds` times. */
export async function pollUntil<E, T>(
  fetch: () => Promise<E[]>,
  pick: (batch: E[]) => T | undefined,
  rounds = 30,
): Promise<T> {
  for (let i = 0; i < rounds; i++) {
    const found = pick(await fetch());
    if (found !== undefined) return found;
  }
  throw new Error(`nothing found after ${rounds} polls`);
}

/** The state of a negotiated rental. */
export interface Negotiated {
  readonly allocation: AllocationData;
  readonly demand: DemandOfferBaseDto;
  readonly subscriptionId: string;
  readonly offer: ProposalDto;
  readonly counterId: string;
  readonly draft: ProposalDto;
  readonly platform: string;
}

/** Builds a demand decorated for the allocation, with `extra` properties (e.g. negotiable terms). */
export async function decoratedDemand(
  api: YagnaApi,
  allocation: AllocationData,
  extra: Record<string, unknown> = {},
): Promise<DemandOfferBaseDto> {
  const decorations = await api.payment.getDemandDecorations([allocation.allocationId]);
  const properties: Record<string, unknown> = {
    'golem.srv.comp.expiration': Date.now() + 15 * 60_000,
    'golem.node.debug.subnet': 'public',
    'golem.srv.caps.multi-activity': true,
    ...extra,
  };
  for (const { key, value } of decorations.properties) properties[key] = value;
  const constraints = [
    '(golem.runtime.name=vm)',
    '(golem.node.debug.subnet=public)',
    ...decorations.constraints,
  ];
  return { properties, constraints: `(&${constraints.join('\n\t')})` };
}

/** What to rent with. */
export interface RentalOptions {
  /** The allocation's total. @default '1' */
  readonly totalAmount?: string;
  /** Extra demand properties, e.g. `'golem.com.scheme.payu.debit-note.interval-sec?': 1`. */
  readonly demand?: Record<string, unknown>;
}

/** Subscribes, counters the first suitable Initial offer and waits for the provider's Draft. */
export async function negotiate(api: YagnaApi, options: RentalOptions = {}): Promise<Negotiated> {
  const allocation = await api.payment.createAllocation({ totalAmount: options.totalAmount ?? '1' });
  const demand = await decoratedDemand(api, allocation, options.demand);
  const platform = allocation.paymentPlatform;
  const subscriptionId = await api.market.subscribeDemand(demand);
  const collect = () => api.market.collectOffers(subscriptionId, { timeout: 1, maxEvents: 100 });
  const isProposal = (e: MarketEventDto): e is Extract<MarketEventDto, { eventType: 'ProposalEvent' }> =>
    e.eventType === 'ProposalEvent';
  const offer = await pollUntil(collect, (batch) =>
    batch
      .filter(isProposal)
      .map((e) => e.proposal)
      .find((p) => p.state === 'Initial' && `golem.com.payment.platform.${platform}.address` in p.properties),
  );
  const counter: DemandOfferBaseDto = {
    properties: { ...demand.properties, 'golem.com.payment.chosen-platform': platform },
    constraints: demand.constraints,
  };
  const counterId = await api.market.counterProposalDemand(subscriptionId, offer.proposalId, counter);
  const draft = await pollUntil(collect, (batch) => {
    const rejected = batch.find((e) => e.eventType === 'ProposalRejectedEvent' && e.proposalId === counterId);
    if (rejected !== undefined) throw new Error(`counter-proposal rejected: ${JSON.stringify(rejected)}`);
    return batch
      .filter(isProposal)
      .map((e) => e.proposal)
      .find((p) => p.state === 'Draft' && p.prevProposalId === counterId);
  });
  return { allocation, demand: counter, subscriptionId, offer, counterId, draft, platform };
}

/** The rental after approval. */
export interface Approved extends Negotiated {
  readonly agreementId: string;
  readonly appSessionId: string;
  /** Just before the agreement was created: a cursor for agreement and payment events. */
  readonly since: Date;
}

/** Negotiates, creates, confirms and waits for approval. */
export async function approvedAgreement(api: YagnaApi, options: RentalOptions = {}): Promise<Approved> {
  const negotiated = await negotiate(api, options);
  const since = new Date(Date.now() - 1_000);
  const appSessionId = randomUUID();
  const agreementId = await api.market.createAgreement({
    proposalId: negotiated.draft.proposalId,
    validTo: new Date(Date.now() + 3_600_000),
  });
  await api.market.confirmAgreement(agreementId, { appSessionId });
  await api.market.waitForApproval(agreementId, { timeout: 10 });
  return { ...negotiated, agreementId, appSessionId, since };
}

/** The ExeScript of the rental: deploy, start, `echo hello` with stdout captured at the end. */
export const ECHO_HELLO: ExeScriptCommandDto[] = [
  { deploy: {} },
  { start: {} },
  {
    run: {
      entry_point: '/bin/sh',
      args: ['-c', 'echo hello'],
      capture: { stdout: { atEnd: { format: 'string' } }, stderr: { atEnd: { format: 'string' } } },
    },
  },
];
