/**
 * The browser example (examples/browser) end to end in headless Chromium (Debian's `chromium`,
 * driven by playwright-core): the page, bundled from the core entry for the browser, is served
 * from one loopback origin and talks to devnet on another, which allows it (CORS). A click on
 * Start rents a machine and runs a command; a click on Stop closes the node, which pays the
 * invoice and leaves nothing open on devnet. Skipped, with a message, when Chromium is not
 * installed, unless CI=true: then it fails.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnet, type DevnetHandle } from '@golem-rx/devnet';
import { buildPage } from '../../examples/browser/build.js';
import { servePage, type PageServer } from '../../examples/browser/serve.js';
import { openCounts } from '../e2e/support.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const required = process.env.CI === 'true';
const install = 'apt-get install -y chromium, or set CHROMIUM_PATH';
if (!hasChromium && !required)
  console.warn(`browser example skipped: no Chromium at ${CHROMIUM} (${install})`);

describe.runIf(!hasChromium && required)('the browser example in CI', () => {
  it('has Chromium to run in (CI=true: .ci/run installs it)', () => {
    expect.fail(`CI=true but no Chromium at ${CHROMIUM} (${install})`);
  });
});

describe.skipIf(!hasChromium)('the browser example in headless Chromium', () => {
  let devnet: DevnetHandle;
  let page: PageServer;
  let browser: BrowserContext;
  let dir: string;
  /** What the pages printed on their consoles. */
  const consoleLines: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'golem-rx-browser-example-'));
    page = await servePage(await buildPage(join(dir, 'page')));
    devnet = await startDevnet({ providers: 6, seed: 3, allowOrigin: page.origin });
    browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
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
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await devnet?.stop();
    await page?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** Opens the page with `target`'s URL, app key and image registry in its fragment. */
  async function open(target: DevnetHandle): Promise<Page> {
    const tab = await browser.newPage();
    tab.on('console', (message) => consoleLines.push(message.text()));
    tab.on('pageerror', (error) => consoleLines.push(`pageerror: ${error.message}`));
    const settings = { api: target.url, key: target.appKey, registry: target.registryUrl };
    await tab.goto(`${page.url}#${new URLSearchParams(settings)}`);
    return tab;
  }
  const text = (tab: Page, id: string) => tab.locator(`#${id}`).textContent();

  it('starts a rental on a click, shows it live, and on Stop pays and leaves nothing open', async () => {
    expect(new URL(devnet.url).origin).not.toBe(page.origin); // cross-origin: CORS is in play
    const tab = await open(devnet);
    expect(tab.url()).toBe(page.url); // the settings left the address bar
    expect(await tab.locator('#app-key').inputValue()).toBe(devnet.appKey);
    expect(await text(tab, 'status')).toBe('idle');
    expect(await tab.locator('#stop').isDisabled()).toBe(true);

    await tab.click('#start');
    await expect.poll(() => text(tab, 'output'), { timeout: 30_000 }).toBe('hello from the browser');
    expect(await text(tab, 'status')).toBe('running');
    expect(Number(await text(tab, 'agreements'))).toBe(1);
    expect(Number(await text(tab, 'proposals'))).toBeGreaterThan(0);
    expect(await text(tab, 'agreement-events')).toContain('Approved');
    expect(await tab.locator('#start').isDisabled()).toBe(true);
    expect(openCounts(devnet)).toMatchObject({ agreements: 1, activities: 1, allocations: 1 });

    await tab.click('#stop');
    await expect.poll(() => text(tab, 'status'), { timeout: 45_000 }).toBe('closed');
    expect(await text(tab, 'error')).toBe('');
    expect(Number(await text(tab, 'spent'))).toBeGreaterThan(0);
    expect(await tab.locator('#start').isEnabled()).toBe(true);

    expect(openCounts(devnet)).toEqual({ demands: 0, agreements: 0, activities: 0, allocations: 0 });
    const stats = devnet.stats() as unknown as {
      agreements: Record<string, number>;
      invoices: Record<string, number>;
    };
    expect(stats.agreements).toMatchObject({ total: 1, Terminated: 1 });
    expect(stats.invoices.accepted).toBe(1);
    expect(consoleLines.join('\n')).not.toContain(devnet.appKey);
    expect(consoleLines.filter((line) => line.startsWith('pageerror'))).toEqual([]);
  }, 120_000);

  it('cannot reach a yagna that does not allow its origin: the error shows, nothing is left open', async () => {
    const closed = await startDevnet({ providers: 1 });
    try {
      const tab = await open(closed);
      await tab.click('#start');
      await expect.poll(() => text(tab, 'status'), { timeout: 30_000 }).toBe('closed');
      expect(await text(tab, 'error')).toMatch(/^YagnaNetworkError: /);
      expect(openCounts(closed)).toEqual({ demands: 0, agreements: 0, activities: 0, allocations: 0 });
      expect(closed.stats().requests.total).toBeGreaterThan(0); // it was asked, and refused the page
      expect(consoleLines.join('\n')).not.toContain(closed.appKey);
    } finally {
      await closed.stop();
    }
  }, 60_000);
});
