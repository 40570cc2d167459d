/**
 * The dashboard end to end: a GolemNode negotiates on devnet (20 providers, real loopback HTTP),
 * its bus, the operators' events and the registry feed the dashboard, and headless Chromium
 * (Debian's `chromium`, driven by playwright-core) renders the live data. Takes a screenshot into
 * a temp dir (its path is printed). Skipped, with a message, when Chromium is not installed.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { defer, merge, mergeMap, take } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnet, type DevnetHandle } from '@golem-rx/devnet';
import {
  type DashboardHandle,
  type RunnableRegistry,
  StatusFeed,
  runnableFromNode,
  runnableFromObservable,
  startDashboard,
  wireUp,
} from '../../src/web.js';
import { createActivity, createAgreement, negotiate, score } from '../../src/operators/index.js';
import { type Proposal } from '../../src/resources/index.js';
import { GolemNode } from '../../src/node/index.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `dashboard e2e skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`,
  );
}

/** Cheaper is better: `1 / (1 + Σ linear coefficients)`. */
function byPrice(proposal: Proposal): number | null {
  const coeffs = proposal.properties['golem.com.pricing.model.linear.coeffs'];
  if (!Array.isArray(coeffs) || !coeffs.every((c) => typeof c === 'number')) return null;
  return 1 / (1 + coeffs.reduce((a, b) => a + b, 0));
}

describe.skipIf(!hasChromium)('the dashboard in headless Chromium', () => {
  let devnet: DevnetHandle;
  let node: GolemNode;
  let registry: RunnableRegistry;
  let dashboard: DashboardHandle;
  let browser: BrowserContext;
  let profile: string;
  let shots: string;

  beforeAll(async () => {
    devnet = await startDevnet({ port: 0, providers: 20 });
    node = new GolemNode({
      apiUrl: devnet.url,
      appKey: devnet.appKey,
      env: {},
      pollTimeoutSec: 1,
      minPollIntervalMs: 20,
    });
    const feed = new StatusFeed();
    const onEvent = feed.onEvent;
    // agreements and activities for the two best offers, kept open so that debit notes flow
    const pipeline$ = defer(async () => {
      await node.start();
      return node.createAllocation({ amount: 10 });
    }).pipe(
      mergeMap((allocation) =>
        node.demand$({ payload: {}, allocations: [allocation], terms: { debitNoteIntervalSec: 1 } }),
      ),
      score((p: Proposal) => byPrice(p), { minProposals: 20, maxWait: 3_000, onEvent }),
      feed.scored(),
      negotiate(2, { respond: feed.respond(), onEvent }),
      createAgreement({ onEvent }),
      createActivity({ onEvent }),
      take(2),
    );
    registry = wireUp(
      [
        runnableFromNode(node),
        runnableFromObservable(pipeline$, { name: 'pipeline' }),
        runnableFromObservable(merge(node.debitNotes$, node.invoices$), { name: 'payments' }),
      ],
      { signals: false },
    );
    dashboard = await startDashboard({
      events$: merge(node.events.events$, feed.events$, registry.events$),
      announce: false,
      throttleMs: 100,
    });
    await registry.wireUpOnStartup();
    profile = await mkdtemp(join(tmpdir(), 'golem-rx-chromium-'));
    shots = await mkdtemp(join(tmpdir(), 'golem-rx-dashboard-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 1000 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    const report = await registry?.wireUpOnShutdown('test done');
    expect(report?.clean).toBe(true);
    await dashboard?.close();
    await devnet?.stop();
    if (profile !== undefined) await rm(profile, { recursive: true, force: true });
  });

  it('renders the market, agreements, activities and spend as they move', async () => {
    const page = await browser.newPage();
    await page.goto(`${dashboard.url}?token=${encodeURIComponent(dashboard.token)}`);
    await expect.poll(() => page.textContent('[data-testid=connection]')).toBe('live');

    // proposals arrive with their scores
    await expect
      .poll(async () => Number(await page.textContent('[data-testid=proposals-seen]')), { timeout: 20_000 })
      .toBe(20);
    // negotiations reach agreements and activities; take(2) may leave a third agreement (and
    // activity) in flight, which the operators then cancel or destroy: wait for the settled view
    const textOf = (testId: string) => page.textContent(`[data-testid=${testId}]`, { timeout: 1_000 });
    await expect.poll(() => textOf('activities-states'), { timeout: 20_000 }).toContain('Ready 2');
    await expect.poll(() => textOf('agreements-states'), { timeout: 20_000 }).toContain('Approved 2');
    expect(Number(await textOf('activities-total'))).toBeGreaterThanOrEqual(2);
    const rows = page.locator('[data-testid=market] tbody tr');
    expect(await rows.count()).toBe(20);
    expect(await rows.first().getAttribute('data-stage')).toBe('activity');
    expect(await page.locator('[data-testid=market] progress').count()).toBe(20);
    // the pipeline completed (a clean stop); the node and the payments stream run on
    await expect.poll(() => page.getAttribute('[data-runnable=pipeline]', 'data-state')).toBe('stopped');
    expect(await page.getAttribute('[data-runnable=golem-node]', 'data-state')).toBe('running');
    expect(await page.textContent('[data-testid=overall]')).toBe('running');

    // spend over time: debit notes arrive every second; the chart plots them
    await expect
      .poll(async () => Number(await page.getAttribute('[data-testid=spend-chart]', 'data-points')), {
        timeout: 20_000,
      })
      .toBeGreaterThanOrEqual(3);
    expect(Number(await page.textContent('[data-testid=spend-total]'))).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=spend-chart] path.line').count()).toBe(1);

    const file = join(shots, 'dashboard.png');
    await page.screenshot({ path: file, fullPage: true });
    console.info(`dashboard screenshot: ${file}`);
    expect(existsSync(file)).toBe(true);
  });

  it('refuses the page, the status and the stream without the token', async () => {
    const page = await browser.newPage();
    const response = await page.goto(dashboard.url);
    expect(response?.status()).toBe(401);
    expect(await page.content()).not.toContain(dashboard.token);
  });
});
