import { firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ResourceChangePossible, type GolemEvent } from '../../src/bus/events.js';
import type { DevnetHandle } from '@golem-rx/devnet';
import { isAgreementNotApprovedError } from '../../src/errors/AgreementNotApprovedError.js';
import { isProposalRejectedError } from '../../src/resources/errors/ProposalRejectedError.js';
import { isYagnaBadRequestError } from '../../src/api/errors/YagnaBadRequestError.js';
import { createActivity, createAgreement, negotiate, score } from '../../src/operators/index.js';
import type { Proposal } from '../../src/resources/Proposal.js';
import { approvedAgreement, nodeOn, openCounts, testDevnet } from './support/devnet.js';

let devnet: DevnetHandle;

beforeEach(async () => {
  devnet = await testDevnet();
});

afterEach(async () => {
  await devnet.stop();
});

describe('createDemand', () => {
  it('merges the payload with decorations, expiration, subnet and the negotiable terms', async () => {
    const node = nodeOn(devnet);
    const allocation = await node.createAllocation({ amount: 1 });
    const expiration = new Date(Date.now() + 20 * 60_000);
    const demand = await node.createDemand({
      payload: {
        properties: { 'golem.srv.caps.multi-activity': true },
        constraints: ['(golem.inf.mem.gib>=0.5)'],
      },
      allocations: [allocation],
      expiration,
      subnet: 'public',
      terms: { debitNoteIntervalSec: 30 },
    });
    const data = await demand.getData();
    expect(data.properties).toMatchObject({
      'golem.srv.caps.multi-activity': true,
      [`golem.com.payment.platform.erc20-holesky-tglm.address`]: devnet.requestorId,
      'golem.com.payment.protocol.version': '3',
      'golem.srv.comp.expiration': expiration.getTime(),
      'golem.node.debug.subnet': 'public',
      'golem.com.payment.debit-notes.accept-timeout?': 120,
      'golem.com.scheme.payu.debit-note.interval-sec?': 30,
      'golem.com.scheme.payu.payment-timeout-sec?': 43200,
    });
    for (const clause of [
      '(golem.inf.mem.gib>=0.5)',
      '(golem.node.debug.subnet=public)',
      '(golem.com.payment.platform.erc20-holesky-tglm.address=*)',
      '(golem.com.payment.protocol.version>1)',
    ]) {
      expect(data.constraints).toContain(clause);
    }
    expect(() => node.createDemand({ payload: {}, expiration: Date.now() - 1 })).toThrow(RangeError);
    await node.close();
  });
});

describe('proposals and negotiation', () => {
  it('collects offers into the tree; respond() sends a real counter-proposal and yields the provider\u2019s draft', async () => {
    const node = nodeOn(devnet);
    const allocation = await node.createAllocation({ amount: 1 });
    const demand = await node.createDemand({ payload: {}, allocations: [allocation] });
    const offers = await firstValueFrom(demand.proposals$.pipe(take(3), toArray()));
    expect(offers.every((o) => o.initial && !o.draft && o.parent === demand)).toBe(true);
    expect(new Set(offers.map((o) => o.providerId)).size).toBe(3);

    const draft = await offers[0]!.respond(undefined, undefined);
    const ours = draft.parent as Proposal;
    expect(ours.ours).toBe(true);
    expect(ours.parent).toBe(offers[0]);
    expect(draft.draft && !draft.initial).toBe(true);
    expect(draft.providerId).toBe(offers[0]!.providerId);
    const sent = await ours.getData();
    expect(sent.properties).toMatchObject({
      'golem.com.payment.chosen-platform': 'erc20-holesky-tglm',
      'golem.com.payment.debit-notes.accept-timeout?': 120,
    });
    // the provider adopted our terms
    expect(draft.properties).toMatchObject({
      'golem.com.payment.debit-notes.accept-timeout?': 120,
      'golem.com.scheme.payu.payment-timeout-sec?': 43200,
    });
    expect(await firstValueFrom(offers[0]!.responses$)).toBe(ours);
    await node.close();
  });

  it('respond() errors with ProposalRejectedError when the provider rejects the counter-proposal', async () => {
    devnet.faults.add({ kind: 'rejectCounter' });
    const node = nodeOn(devnet);
    const allocation = await node.createAllocation({ amount: 1 });
    const demand = await node.createDemand({ payload: {}, allocations: [allocation] });
    const offer = await firstValueFrom(demand.proposals$);
    const error = await offer.respond().then(undefined, (e: unknown) => e);
    expect(isProposalRejectedError(error)).toBe(true);
    expect(error).toMatchObject({ proposalId: offer.id, providerId: offer.providerId });
    const ours = offer.children[0] as Proposal;
    expect(ours.rejected).toBe(true);
    expect(await firstValueFrom(ours.responses$.pipe(toArray()))).toEqual([]);
    await node.close();
  });

  it('reject() and createAgreement() emit ResourceChangePossible for the proposal; an initial proposal cannot be signed', async () => {
    const node = nodeOn(devnet);
    const changes: string[] = [];
    node.events.events$.subscribe((e: GolemEvent) => {
      if (e instanceof ResourceChangePossible) changes.push(`${e.resource.kind}:${e.resource.id}`);
    });
    const allocation = await node.createAllocation({ amount: 1 });
    const demand = await node.createDemand({ payload: {}, allocations: [allocation] });
    const [a, b] = await firstValueFrom(demand.proposals$.pipe(take(2), toArray()));
    await a!.reject('too expensive');
    expect(a!.rejected).toBe(true);
    expect(isYagnaBadRequestError(await b!.createAgreement().then(undefined, (e: unknown) => e))).toBe(true);
    const draft = await b!.respond();
    const agreement = await draft.createAgreement({ validFor: 60_000 });
    expect(agreement.parent).toBe(draft);
    expect(draft.children).toEqual([agreement]);
    expect(changes).toEqual([`Proposal:${a!.id}`, `Proposal:${draft.id}`]);
    expect(Date.parse((await agreement.getData()).validTo) - Date.now()).toBeLessThanOrEqual(60_000);
    await node.close();
  });

  it('node.proposals$ carries offers and drafts of every demand of the node', async () => {
    const node = nodeOn(devnet);
    const allocation = await node.createAllocation({ amount: 1 });
    const arrivals: Proposal[] = [];
    const subscription = node.proposals$.subscribe((p) => arrivals.push(p));
    const demand = await node.createDemand({ payload: {}, allocations: [allocation], autostart: false });
    const offer = await firstValueFrom(demand.proposals$);
    const draft = await offer.respond();
    expect(arrivals).toContain(offer);
    expect(arrivals).toContain(draft);
    subscription.unsubscribe();
    await node.close();
  });
});

describe('agreements', () => {
  it('confirm → waitForApproval → terminate; terminate again tolerates 410', async () => {
    const node = nodeOn(devnet);
    const { agreement } = await approvedAgreement(node);
    expect(agreement.approved).toBe(true);
    expect((await agreement.getData({ force: true })).appSessionId).toBe(node.appSessionId);
    await agreement.terminate('Finished');
    expect(agreement.closed).toBe(true);
    await agreement.terminate('Finished again');
    expect((await agreement.getData({ force: true })).state).toBe('Terminated');
    await node.close();
  });

  it('terminate tolerates 410 when the provider terminated first', async () => {
    const node = nodeOn(devnet);
    const { agreement } = await approvedAgreement(node);
    devnet.market.terminateByProvider(agreement.id, { message: 'Shutdown', code: 'Shutdown' });
    await agreement.terminate();
    expect(agreement.closed).toBe(true);
    await node.close();
  });

  it('waitForApproval errors with AgreementNotApprovedError (Rejected) and closes the agreement', async () => {
    devnet.faults.add({ kind: 'rejectAgreement' });
    const node = nodeOn(devnet);
    const allocation = await node.createAllocation({ amount: 1 });
    const demand = await node.createDemand({ payload: {}, allocations: [allocation] });
    const draft = await (await firstValueFrom(demand.proposals$)).respond();
    const agreement = await draft.createAgreement();
    await agreement.confirm();
    const error = await agreement.waitForApproval(5_000).then(undefined, (e: unknown) => e);
    expect(isAgreementNotApprovedError(error) && error.outcome).toBe('Rejected');
    expect(agreement.closed).toBe(true);
    await node.close();
  });

  it('waitForApproval re-issues the wait on 408 and gives up with outcome Timeout', async () => {
    devnet.faults.add({ kind: 'neverApprove' });
    const node = nodeOn(devnet);
    const allocation = await node.createAllocation({ amount: 1 });
    const demand = await node.createDemand({ payload: {}, allocations: [allocation] });
    const draft = await (await firstValueFrom(demand.proposals$)).respond();
    const agreement = await draft.createAgreement();
    await agreement.confirm();
    const error = await agreement.waitForApproval(1_500).then(undefined, (e: unknown) => e);
    expect(isAgreementNotApprovedError(error) && error.outcome).toBe('Timeout');
    expect(agreement.closed).toBe(false);
    await agreement.cancel('not approved in time');
    expect(agreement.closed).toBe(true);
    expect(openCounts(devnet).agreements).toBe(0);
    await node.close();
  });

  it('the one-liner: demand$ | score | negotiate | createAgreement | createActivity works on real resources', async () => {
    const node = nodeOn(devnet);
    const allocation = await node.createAllocation({ amount: 5 });
    const threads = (p: Proposal) => Number(p.properties['golem.inf.cpu.threads'] ?? 0);
    const activities = await firstValueFrom(
      node
        .demand$({ payload: {}, allocations: [allocation] })
        .pipe(
          score(threads, { minProposals: 3, maxWait: 2_000 }),
          negotiate(2),
          createAgreement(),
          createActivity(),
          take(2),
          toArray(),
        ),
    );
    expect(activities).toHaveLength(2);
    expect(activities.every((a) => a.agreement.approved)).toBe(true);
    // demand$ unsubscribes its demand (in the background) when take(2) leaves
    await vi.waitFor(() => expect(openCounts(devnet).demands).toBe(0));
    const report = await node.close();
    expect(report.ok).toBe(true);
    expect(openCounts(devnet)).toEqual({ demands: 0, agreements: 0, activities: 0, allocations: 0 });
  });
});
