/**
 * Renders a JSON status into the dashboard page's sections. Browser code.
 *
 * @module
 */
import type { StatusJson } from '../../integrations/statusJson.js';
import { spendChart } from './chart.js';
import { fill, h, text } from './dom.js';

/** The most market lines shown (the most advanced first, then the best scored). */
const MARKET_ROWS = 60;

const STAGE_ORDER: Readonly<Record<string, number>> = {
  activity: 0,
  approved: 1,
  agreement: 2,
  draft: 3,
  countered: 4,
  offer: 5,
  closed: 6,
  rejected: 7,
  failed: 8,
  dropped: 9,
};

/** Renders every section from `status`. */
export function render(status: StatusJson): void {
  text('overall', status.status);
  document.getElementById('overall')?.setAttribute('data-state', status.status);
  text('node-state', `node ${status.node}`);
  text('updated', `updated ${time(status.updatedAt)}`);
  renderCards(status);
  fill('spend-chart-box', spendChart(status.spend.series, status.updatedAt));
  renderMarket(status);
  renderRunnables(status);
  renderFailures(status);
}

function renderCards(status: StatusJson): void {
  const p = status.proposals;
  text('demands', `${status.demands.active} / ${status.demands.total}`);
  text('proposals-seen', String(p.seen));
  text('proposals-scored', String(p.scored));
  text('negotiations', `${p.countered} countered · ${p.drafts} drafts · ${p.counterFailed} failed`);
  text('agreements-total', String(status.agreements.total));
  fill('agreements-states', ...states(status.agreements.byState));
  text('activities-total', String(status.activities.total));
  fill('activities-states', ...states(status.activities.byState));
  text('spend-total', shortAmount(status.spend.total));
  document.getElementById('spend-total')?.setAttribute('title', `${status.spend.total} GLM`);
  fill(
    'sources',
    status.unhealthySources.length === 0
      ? null
      : h('span', { class: 'pill bad' }, `unreachable: ${status.unhealthySources.join(', ')}`),
  );
}

function states(byState: Readonly<Record<string, number>>): HTMLElement[] {
  return Object.entries(byState).map(([state, n]) =>
    h('span', { class: `pill state-${state.toLowerCase()}`, 'data-state': state }, `${state} ${n}`),
  );
}

function renderMarket(status: StatusJson): void {
  const rows = [...status.market]
    .sort(
      (a, b) =>
        (STAGE_ORDER[a.stage] ?? 99) - (STAGE_ORDER[b.stage] ?? 99) ||
        (b.score ?? -1) - (a.score ?? -1) ||
        b.arrivedAt.localeCompare(a.arrivedAt),
    )
    .slice(0, MARKET_ROWS);
  const best = Math.max(0, ...status.market.map((e) => e.score ?? 0)) || 1;
  text('market-count', `${status.market.length} providers`);
  fill(
    'market-rows',
    ...rows.map((e) =>
      h(
        'tr',
        { 'data-provider': e.providerId, 'data-stage': e.stage },
        h('td', { class: 'mono', title: e.providerId }, short(e.providerId)),
        h('td', { class: 'mono', title: e.proposalId }, short(e.proposalId)),
        h(
          'td',
          { class: 'score' },
          e.score === undefined
            ? h('span', { class: 'muted' }, '–')
            : h(
                'span',
                { class: 'bar-wrap' },
                h('progress', { max: 1, value: Math.min(1, e.score / best) }),
                h('span', { class: 'num' }, e.score.toFixed(3)),
              ),
        ),
        h('td', {}, h('span', { class: `pill stage-${e.stage}` }, e.stage)),
        h('td', { class: 'muted' }, time(e.updatedAt)),
      ),
    ),
  );
}

function renderRunnables(status: StatusJson): void {
  fill(
    'runnable-rows',
    ...status.runnables.map((r) =>
      h(
        'tr',
        { 'data-runnable': r.name, 'data-state': r.state },
        h('td', {}, r.name),
        h('td', {}, h('span', { class: `pill run-${r.state}` }, r.state)),
        h('td', { class: 'muted' }, r.startedAt === undefined ? '–' : time(r.startedAt)),
        h('td', { class: 'muted' }, r.stoppedAt === undefined ? '–' : time(r.stoppedAt)),
        h(
          'td',
          { class: 'error' },
          r.lastError === undefined ? '' : `${r.lastError.name}: ${r.lastError.message}`,
        ),
      ),
    ),
  );
  if (status.runnables.length === 0)
    fill('runnable-rows', h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'none registered')));
}

function renderFailures(status: StatusJson): void {
  fill(
    'failures',
    ...[...status.failures]
      .reverse()
      .map((f) =>
        h(
          'li',
          {},
          h('span', { class: 'muted' }, time(f.at)),
          ' ',
          h('b', {}, f.type),
          f.providerId === undefined ? '' : ` · ${short(f.providerId)}`,
          ` — ${f.message}`,
        ),
      ),
  );
  if (status.failures.length === 0) fill('failures', h('li', { class: 'muted' }, 'none'));
}

/** An amount for display: six significant digits at most (the exact one is in the title). */
function shortAmount(amount: string): string {
  const [, decimals = ''] = amount.split('.');
  if (decimals.length <= 8) return amount;
  const rounded = Number(amount).toPrecision(6);
  return rounded.includes('e') ? rounded : rounded.replace(/\.?0+$/, '');
}

function short(id: string): string {
  return id.length > 14 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id;
}

function time(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour12: false });
}
