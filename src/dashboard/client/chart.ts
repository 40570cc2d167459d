/**
 * The spend-over-time chart: an inline SVG step line (spend only changes when a debit note or
 * an invoice arrives). Browser code.
 *
 * @module
 */
import { s } from './dom.js';

/** One point of the series: when, and the total spent then (a decimal string, GLM). */
export interface ChartPoint {
  readonly at: string;
  readonly total: string;
}

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { left: 64, right: 16, top: 14, bottom: 28 };

/**
 * Draws the series as an SVG step chart, up to `now`.
 * @param series the spend series, oldest first
 * @param now the time the chart ends at (the status's `updatedAt`)
 * @returns the SVG element
 */
export function spendChart(series: readonly ChartPoint[], now: string): SVGSVGElement {
  const svg = s('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: 'img',
    'aria-label': 'GLM spent over time',
    'data-testid': 'spend-chart',
    'data-points': series.length,
  });
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  svg.append(s('rect', { x: PAD.left, y: PAD.top, width: innerW, height: innerH, class: 'plot' }));
  if (series.length === 0) {
    svg.append(
      s('text', { x: WIDTH / 2, y: HEIGHT / 2, 'text-anchor': 'middle', class: 'muted' }, 'no spend yet'),
    );
    return svg;
  }
  const points = series.map((p) => ({ t: Date.parse(p.at), v: Number(p.total) }));
  const first = points[0]!;
  const end = Math.max(Date.parse(now), points[points.length - 1]!.t);
  const t0 = Math.min(first.t, end - 1000);
  const vMax = Math.max(...points.map((p) => p.v)) * 1.1 || 1;
  const x = (t: number): number => PAD.left + ((t - t0) / (end - t0)) * innerW;
  const y = (v: number): number => PAD.top + innerH - (v / vMax) * innerH;

  // a step line: flat until the next change, then up
  let d = `M${x(t0).toFixed(1)},${y(0).toFixed(1)}`;
  for (const p of points) d += ` H${x(p.t).toFixed(1)} V${y(p.v).toFixed(1)}`;
  d += ` H${x(end).toFixed(1)}`;
  const area = `${d} V${y(0).toFixed(1)} Z`;
  svg.append(s('path', { d: area, class: 'area' }), s('path', { d, class: 'line' }));

  for (const fraction of [0, 0.5, 1]) {
    const v = vMax * fraction;
    svg.append(
      s('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(v), y2: y(v), class: 'grid' }),
      s('text', { x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, formatAmount(v)),
    );
  }
  svg.append(
    s('text', { x: PAD.left, y: HEIGHT - 8, class: 'axis' }, clock(t0)),
    s('text', { x: WIDTH - PAD.right, y: HEIGHT - 8, 'text-anchor': 'end', class: 'axis' }, clock(end)),
  );
  const last = points[points.length - 1]!;
  svg.append(s('circle', { cx: x(last.t), cy: y(last.v), r: 3.5, class: 'dot' }));
  return svg;
}

/** A compact amount for the axis: `0.0059`, `1.2e-6`. */
export function formatAmount(v: number): string {
  if (v === 0) return '0';
  if (v < 0.001) return v.toExponential(1);
  const fixed = v.toPrecision(3);
  return fixed.includes('.') && !fixed.includes('e') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/** `HH:MM:SS` in local time. */
export function clock(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour12: false });
}
