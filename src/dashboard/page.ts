/**
 * The dashboard page: one self-contained HTML string (styles and the bundled script inline),
 * served with a strict Content-Security-Policy that allows exactly these two inline blocks.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { DASHBOARD_SCRIPT } from './generated/dashboardScript.js';

const STYLE = `
:root { color-scheme: light dark; --bg: #0f1419; --panel: #171d24; --line: #2a323c; --fg: #e6e9ee; --muted: #8b95a3;
  --accent: #5cc8ff; --good: #3fcf8e; --warn: #f5b84b; --bad: #ff6b6b; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--fg); }
header { display: flex; gap: 12px; align-items: center; padding: 14px 20px; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
header h1 { font-size: 17px; margin: 0 8px 0 0; font-weight: 600; }
main { padding: 16px 20px 28px; display: grid; gap: 16px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; }
.card, section { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 24px; font-weight: 600; margin-top: 2px; font-variant-numeric: tabular-nums; }
.card .sub { color: var(--muted); font-size: 12px; margin-top: 4px; display: flex; gap: 4px; flex-wrap: wrap; }
section h2 { font-size: 14px; margin: 0 0 10px; font-weight: 600; display: flex; justify-content: space-between; }
.grid2 { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 16px; }
@media (max-width: 900px) { .grid2 { grid-template-columns: 1fr; } }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th { text-align: left; color: var(--muted); font-weight: 500; border-bottom: 1px solid var(--line); padding: 4px 6px; }
td { padding: 4px 6px; border-bottom: 1px solid #20272f; vertical-align: middle; }
.scroll { max-height: 420px; overflow: auto; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
.muted { color: var(--muted); }
.error { color: var(--bad); font-size: 12px; }
.pill { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; background: #26303b; color: var(--fg); }
.pill.bad, .pill[data-state=crashed], .stage-rejected, .stage-failed, .run-failed, .state-failed, .state-rejected { background: #4a2228; color: #ffb3b3; }
.stage-approved, .stage-activity, .run-running, .state-approved, .state-ready { background: #173d2e; color: #8ff0c0; }
.stage-draft, .stage-countered, .stage-agreement, .run-stopping, .state-proposal, .state-pending, .state-new { background: #3d3417; color: #ffd98a; }
.stage-dropped, .stage-closed, .run-stopped, .state-terminated, .state-cancelled { background: #262c33; color: var(--muted); }
#overall { text-transform: uppercase; font-weight: 600; }
#overall[data-state=running] { background: #173d2e; color: #8ff0c0; }
#overall[data-state=crashed] { background: #4a2228; color: #ffb3b3; }
#connection[data-state=live] { color: var(--good); }
#connection[data-state=reconnecting], #connection[data-state=closed] { color: var(--warn); }
.bar-wrap { display: inline-flex; align-items: center; gap: 6px; }
progress { width: 70px; height: 8px; accent-color: var(--accent); }
.num { font-variant-numeric: tabular-nums; }
svg { width: 100%; height: auto; display: block; }
svg .plot { fill: #121820; stroke: var(--line); }
svg .grid { stroke: #26303b; stroke-dasharray: 3 4; }
svg .line { fill: none; stroke: var(--accent); stroke-width: 2; }
svg .area { fill: rgba(92, 200, 255, .14); stroke: none; }
svg .dot { fill: var(--accent); }
svg .axis, svg .muted { fill: var(--muted); font-size: 11px; }
ul { margin: 0; padding-left: 18px; font-size: 13px; }
`;

const BODY = `
<header>
  <h1>golem-rx</h1>
  <span class="pill" id="overall" data-testid="overall">…</span>
  <span class="muted" id="node-state">node …</span>
  <span id="sources"></span>
  <span class="muted" id="updated"></span>
  <span class="muted">stream: <b id="connection" data-testid="connection">connecting</b></span>
</header>
<main>
  <div class="cards">
    <div class="card"><div class="label">Demands active / total</div><div class="value" id="demands">–</div></div>
    <div class="card"><div class="label">Proposals seen</div><div class="value" id="proposals-seen" data-testid="proposals-seen">0</div>
      <div class="sub">scored&nbsp;<span id="proposals-scored">0</span></div></div>
    <div class="card"><div class="label">Negotiations</div><div class="sub" id="negotiations" data-testid="negotiations">–</div></div>
    <div class="card"><div class="label">Agreements</div><div class="value" id="agreements-total" data-testid="agreements-total">0</div>
      <div class="sub" id="agreements-states" data-testid="agreements-states"></div></div>
    <div class="card"><div class="label">Activities</div><div class="value" id="activities-total" data-testid="activities-total">0</div>
      <div class="sub" id="activities-states" data-testid="activities-states"></div></div>
    <div class="card"><div class="label">Spent (GLM)</div><div class="value mono" id="spend-total" data-testid="spend-total">0</div></div>
  </div>
  <section><h2>Spend over time</h2><div id="spend-chart-box"></div></section>
  <div class="grid2">
    <section><h2>Market <span class="muted" id="market-count"></span></h2>
      <div class="scroll"><table data-testid="market"><thead><tr><th>Provider</th><th>Proposal</th><th>Score</th><th>Stage</th><th>Updated</th></tr></thead>
      <tbody id="market-rows"></tbody></table></div></section>
    <div>
      <section><h2>Runnables</h2>
        <table data-testid="runnables"><thead><tr><th>Name</th><th>State</th><th>Started</th><th>Stopped</th><th>Last error</th></tr></thead>
        <tbody id="runnable-rows"></tbody></table></section>
      <section><h2>Failures</h2><ul id="failures" data-testid="failures"></ul></section>
    </div>
  </div>
</main>
`;

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The page's HTML. */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>golem-rx dashboard</title>
<style>${STYLE}</style></head>
<body>${BODY}<script>${DASHBOARD_SCRIPT}</script></body></html>
`;

/** The headers the page is served with: a CSP that allows only its own inline style and script. */
export const DASHBOARD_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': [
    "default-src 'none'",
    `script-src ${sha256(DASHBOARD_SCRIPT)}`,
    `style-src ${sha256(STYLE)}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
};
