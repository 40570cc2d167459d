import { Decimal } from 'decimal.js';
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import type { InvoiceData } from '../src/api/index.js';
import type { AgreementDto, InvoiceEventDto } from '../src/api/types/index.js';
import { type GolemEvent, ResourceDataChanged, ResourceEvent } from '../src/bus/events.js';
import { isResourceDataNotLoadedError } from '../src/resources/errors/ResourceDataNotLoadedError.js';
import { GolemNode } from '../src/node/GolemNode.js';
import type { NodeApi } from '../src/resources/NodeApi.js';
import { sequence, stubApi } from '../test/resources/support/stubApi.js';

let testScheduler: TestScheduler;

beforeEach(() => {
  testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

function nodeWith(api: NodeApi): GolemNode {
  return new GolemNode({ api, scheduler: testScheduler, minPollIntervalMs: 0, random: () => 0 });
}

function agreementDto(state: AgreementDto['state']): AgreementDto {
  const base = { properties: {}, constraints: '(&)', timestamp: '2024-05-28T15:00:00Z' };
  return {
    agreementId: 'a1',
    demand: { ...base, demandId: 'd1', requestorId: '0xme' },
    offer: { ...base, offerId: 'o1', providerId: '0xp' },
    validTo: '2024-05-28T16:00:00Z',
    state,
    timestamp: '2024-05-28T15:00:00Z',
  };
}

function invoiceData(id: string): InvoiceData {
  return {
    invoiceId: id,
    issuerId: '0xp',
    recipientId: '0xme',
    payeeAddr: '0xp',
    payerAddr: '0xme',
    paymentPlatform: 'erc20-holesky-tglm',
    timestamp: '2024-05-28T16:00:00Z',
    agreementId: 'a1',
    activityIds: [],
    amount: new Decimal('0.0123'),
    paymentDueDate: '2024-05-29T16:00:00Z',
    status: 'RECEIVED',
  };
}

const received = (id: string, eventDate: string): InvoiceEventDto => ({
  invoiceId: id,
  eventDate,
  eventType: 'InvoiceReceivedEvent',
});

function recorder(node: GolemNode): string[] {
  const seen: string[] = [];
  node.events.events$.subscribe((e: GolemEvent) => {
    if (e instanceof ResourceEvent) seen.push(`${e.type}:${e.resource.kind}:${e.resource.id}`);
  });
  return seen;
}

describe('Resource', () => {
  it('is one object per id (identity map), announced once with NewResource', () => {
    const node = nodeWith(stubApi({}));
    const seen = recorder(node);
    expect(node.agreement('a1')).toBe(node.agreement('a1'));
    expect(node.proposal('p1', 'd1')).toBe(node.demand('d1').proposal('p1'));
    expect(node.agreement('a1')).not.toBe(node.agreement('a2'));
    expect(seen).toEqual([
      'NewResource:Agreement:a1',
      'NewResource:Proposal:p1',
      'NewResource:Demand:d1',
      'NewResource:Agreement:a2',
    ]);
  });

  it('throws ResourceDataNotLoadedError on data never fetched; concurrent fetches share one request', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const get1 = cold('---(x|)', { x: agreementDto('Pending') });
      const get2 = cold('         -(x|)', { x: agreementDto('Approved') });
      const node = nodeWith(stubApi({ market: { getAgreement: sequence([get1, get2]) } }));
      const agreement = node.agreement('a1');
      const changes: string[] = [];
      node.events.events$.subscribe((e) => {
        if (e instanceof ResourceDataChanged) {
          const before = e.oldData as AgreementDto | undefined;
          changes.push(`${before?.state ?? '-'}>${(e.newData as AgreementDto).state}`);
        }
      });
      expect(() => agreement.data).toThrow(expect.objectContaining({ name: 'ResourceDataNotLoadedError' }));
      try {
        void agreement.data;
      } catch (e) {
        expect(isResourceDataNotLoadedError(e)).toBe(true);
      }
      const state$ = agreement.load$().pipe(map((d) => d.state));
      expectObservable(state$, '^').toBe('---(p|)', { p: 'Pending' });
      expectObservable(state$, '-^').toBe('---(p|)', { p: 'Pending' });
      expectObservable(state$, '---------^').toBe('----------(a|)', { a: 'Approved' });
      expectObservable(agreement.data$.pipe(map((d) => d.state)), '^').toBe('---p------a', {
        p: 'Pending',
        a: 'Approved',
      });
      expectSubscriptions(get1.subscriptions).toBe('^--!');
      expectSubscriptions(get2.subscriptions).toBe('---------^!'); // the second caller shared get1
      testScheduler.flush();
      expect(changes).toEqual(['->Pending', 'Pending>Approved']);
      expect(agreement.data.state).toBe('Approved');
    });
  });

  it('children$ replays the existing children, then new ones, and completes when no more can come', () => {
    testScheduler.run(({ expectObservable }) => {
      const node = nodeWith(stubApi({}));
      const demand = node.demand('d1');
      node.proposal('p1', 'd1').attachTo(demand);
      const ids = demand.children$.pipe(map((c) => c.id));
      testScheduler.schedule(() => node.proposal('p2', 'd1').attachTo(demand), 2);
      testScheduler.schedule(() => demand.markClosed(), 4);
      expectObservable(ids).toBe('a-b-|', { a: 'p1', b: 'p2' });
      expectObservable(ids, '-----^').toBe('-----(ab|)', { a: 'p1', b: 'p2' });
    });
  });

  it('emits New \u2192 DataChanged \u2192 Closed, and Closed exactly once', () => {
    const node = nodeWith(stubApi({}));
    const seen = recorder(node);
    const allocation = node.allocation('x');
    allocation.setData({ allocationId: 'x' } as never);
    allocation.setData({ allocationId: 'x' } as never); // same data: no event
    const live: unknown[] = [];
    allocation.data$.subscribe({ next: (d) => live.push(d), complete: () => live.push('complete') });
    allocation.markClosed();
    allocation.markClosed();
    const late: unknown[] = [];
    allocation.data$.subscribe({ next: (d) => late.push(d), complete: () => late.push('complete') });
    expect(live).toEqual([{ allocationId: 'x' }, 'complete']);
    expect(late).toEqual([{ allocationId: 'x' }, 'complete']);
    expect(seen).toEqual([
      'NewResource:Allocation:x',
      'ResourceDataChanged:Allocation:x',
      'ResourceClosed:Allocation:x',
    ]);
  });
});

describe('node.invoices$ and agreement.invoice$', () => {
  it('announces an invoice once despite a duplicated event, attached to its agreement', () => {
    testScheduler.run(({ cold, expectObservable, flush }) => {
      // prettier-ignore
      const poll1 = cold('-(b|)', { b: [received('i1', '2024-05-28T16:00:00Z')] });
      const poll2 = cold(' --(b|)', { b: [received('i1', '2024-05-28T16:00:00.5Z')] }); // repeated
      const poll3 = cold('   -');
      const node = nodeWith(
        stubApi({
          payment: {
            getInvoiceEvents: sequence([poll1, poll2, poll3]),
            getInvoice: () => cold('-(x|)', { x: invoiceData('i1') }),
          },
        }),
      );
      const seen = recorder(node);
      const agreement = node.agreement('a1');
      expectObservable(node.invoices$.pipe(map((i) => i.id)), '^-----!').toBe('--a---', { a: 'i1' });
      expectObservable(agreement.invoice$.pipe(map((i) => i.amount.toString())), '^').toBe('--(x|)', {
        x: '0.0123',
      });
      flush();
      expect(node.invoice('i1').parent).toBe(agreement);
      expect(node.invoice('i1').events).toHaveLength(2);
      expect(seen).toContain('ResourceChangePossible:Agreement:a1');
    });
  });
});
