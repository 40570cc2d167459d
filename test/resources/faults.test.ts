import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SourceHealthChanged } from '../../src/bus/events.js';
import type { DevnetHandle } from '@golem-rx/devnet';
import type { AgreementEvent } from '../../src/resources/nodeStreams.js';
import { approvedAgreement, nodeOn, openCounts, testDevnet } from './support/devnet.js';

let devnet: DevnetHandle;

beforeEach(async () => {
  devnet = await testDevnet();
});

afterEach(async () => {
  await devnet.stop();
});

const http500 = (endpoint: string, times: number) =>
  ({ kind: 'http', endpoint, status: 500, count: { times } }) as const;

describe('sources under faults', () => {
  it('500 on the agreement events: backs off, reports SourceHealthChanged, then delivers every event once', async () => {
    devnet.faults.add(http500('GET /market-api/v1/agreementEvents', 2));
    const node = nodeOn(devnet);
    const health: string[] = [];
    node.events.events$.subscribe((e) => {
      if (e instanceof SourceHealthChanged) health.push(`${e.source}:${e.health.kind}`);
    });
    const seen: AgreementEvent[] = [];
    const watching = node.agreementEvents$.subscribe((e) => seen.push(e));
    const { agreement } = await approvedAgreement(node);
    await agreement.terminate();
    await vi.waitFor(() => expect(seen.map((e) => e.event.eventType)).toContain('AgreementTerminatedEvent'));
    watching.unsubscribe();
    expect(seen.map((e) => e.event.eventType)).toEqual([
      'AgreementApprovedEvent',
      'AgreementTerminatedEvent',
    ]);
    expect(health).toEqual([
      'agreementEvents:unreachable',
      'agreementEvents:unreachable',
      'agreementEvents:recovered',
    ]);
    await node.close();
  });

  it('500 on a demand\u2019s events and on the invoice events: proposals and the invoice still arrive', async () => {
    devnet.faults.add(http500('GET /market-api/v1/demands/*/events', 1));
    devnet.faults.add(http500('GET /payment-api/v1/invoiceEvents', 2));
    const node = nodeOn(devnet);
    const health: string[] = [];
    node.events.events$.subscribe((e) => {
      if (e instanceof SourceHealthChanged) health.push(`${e.source.split(':')[0]}:${e.health.kind}`);
    });
    const { agreement } = await approvedAgreement(node);
    await agreement.terminate();
    const invoice = await firstValueFrom(agreement.invoice$);
    expect(invoice.parent).toBe(agreement);
    expect(health).toEqual(
      expect.arrayContaining(['proposals:unreachable', 'proposals:recovered', 'invoiceEvents:recovered']),
    );
    await node.close();
  });

  it('resumes after a daemon restart without losing or repeating an event', async () => {
    const node = nodeOn(devnet);
    const health: string[] = [];
    node.events.events$.subscribe((e) => {
      if (e instanceof SourceHealthChanged && e.source === 'agreementEvents') health.push(e.health.kind);
    });
    const seen: string[] = [];
    const watching = node.agreementEvents$.subscribe(({ agreement, event }) =>
      seen.push(`${agreement.id}:${event.eventType}`),
    );
    const first = await approvedAgreement(node);
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    devnet.restart(); // drops every pending long-poll connection
    await first.agreement.terminate();
    const offer2 = (await firstValueFrom(first.demand.proposals$.pipe(take(2), toArray())))[1]!;
    const agreement2 = await (await offer2.respond()).createAgreement();
    await agreement2.confirm();
    devnet.restart();
    await agreement2.waitForApproval(5_000);
    await agreement2.terminate();
    await vi.waitFor(() => expect(seen).toHaveLength(4), { timeout: 10_000 });
    // A later event proves the order: a repeat of the four would have come before it.
    const marker = await approvedAgreement(node);
    await vi.waitFor(() => expect(seen).toContain(`${marker.agreement.id}:AgreementApprovedEvent`), {
      timeout: 10_000,
    });
    watching.unsubscribe();
    expect(seen).toEqual([
      `${first.agreement.id}:AgreementApprovedEvent`,
      `${first.agreement.id}:AgreementTerminatedEvent`,
      `${agreement2.id}:AgreementApprovedEvent`,
      `${agreement2.id}:AgreementTerminatedEvent`,
      `${marker.agreement.id}:AgreementApprovedEvent`,
    ]);
    expect(health).toContain('unreachable'); // the restart did cut a poll
    expect(health.at(-1)).toBe('recovered');
    await node.close();
  });

  it('a demand\u2019s proposals keep coming after a daemon restart', async () => {
    const node = nodeOn(devnet);
    const allocation = await node.createAllocation({ amount: 1 });
    const demand = await node.createDemand({ payload: {}, allocations: [allocation], autostart: false });
    const ids: string[] = [];
    const watching = demand.proposals$.pipe(filter((p) => p.initial)).subscribe((p) => ids.push(p.id));
    await vi.waitFor(() => expect(ids.length).toBeGreaterThan(0));
    devnet.restart();
    const offer = demand.children[0]!;
    const draft = await offer.respond();
    expect(draft.parent?.parent).toBe(offer);
    watching.unsubscribe();
    expect(new Set(ids).size).toBe(ids.length);
    await node.close();
    expect(openCounts(devnet).demands).toBe(0);
  });
});
