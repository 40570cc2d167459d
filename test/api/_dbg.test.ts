import { it } from 'vitest';
import { createYagnaApi } from '../../src/api/index.js';
import { startDevnet } from '../../src/devnet/index.js';
import { approvedAgreement, ECHO_HELLO } from './support/rental.js';
it('dbg', async () => {
  const d = await startDevnet({ port: 0, providers: 6, seed: 11, payment: { settleDelayMs: 10 } });
  const lines: string[] = [];
  const api = createYagnaApi({ url: d.url, appKey: d.appKey, onExchange: (e) => lines.push(`${Date.now() % 100000} ${e.method} ${e.pathTemplate} ${JSON.stringify(e.query)} ${e.status} ${JSON.stringify(e.responseBody)?.slice(0, 300)}`) }, {});
  try {
    const r = await approvedAgreement(api, { demand: { 'golem.com.scheme.payu.debit-note.interval-sec?': 1, 'golem.com.scheme.payu.payment-timeout-sec?': 1 } });
    const ag = await api.market.getAgreement(r.agreementId);
    console.log('DRAFT', r.draft.properties['golem.com.scheme.payu.debit-note.interval-sec?'], r.demand.properties['golem.com.scheme.payu.debit-note.interval-sec?'], r.draft.prevProposalId === r.counterId);
    console.log('INTERVAL', ag.offer.properties['golem.com.scheme.payu.debit-note.interval-sec?'], ag.demand.properties['golem.com.scheme.payu.debit-note.interval-sec?']);
    const { activityId } = await api.activity.createActivity(r.agreementId, { timeout: 10 });
    await api.activity.exec(activityId, ECHO_HELLO);
    for (let i = 0; i < 3; i++) await api.payment.getDebitNoteEvents({ afterTimestamp: r.since, appSessionId: r.appSessionId, timeout: 2 });
    for (let i = 0; i < 1; i++) await api.payment.getDebitNoteEvents({ timeout: 1 });
    console.log(JSON.stringify(await api.payment.getDebitNotes()));
  } finally {
    console.log(lines.join('\n'));
    await d.stop();
  }
}, 60000);
