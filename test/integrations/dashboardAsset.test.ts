/**
 * The dashboard's bundled script is committed (src/dashboard/generated/dashboardScript.ts); this
 * fails when it is stale: run `npx tsx src/dashboard/generate.ts` after changing src/dashboard/client/.
 */
import { describe, expect, it } from 'vitest';
import { buildDashboardScript } from '../../src/dashboard/generate.js';
import { DASHBOARD_SCRIPT } from '../../src/dashboard/generated/dashboardScript.js';

describe('the dashboard asset', () => {
  it('is the bundle of src/dashboard/client as it is now', async () => {
    expect(DASHBOARD_SCRIPT).toBe(await buildDashboardScript());
  });

  it('is small and self-contained (no imports, no network but its own event stream)', () => {
    expect(DASHBOARD_SCRIPT.length).toBeLessThan(20_000);
    // the one URL in it is the SVG namespace, which is a name, not a request
    expect(DASHBOARD_SCRIPT).not.toMatch(/\bimport\s*\(|\brequire\(|https?:\/\/(?!www\.w3\.org\/2000\/svg")/);
    expect(DASHBOARD_SCRIPT).toContain('EventSource');
  });
});
