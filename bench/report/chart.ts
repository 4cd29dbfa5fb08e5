import { CONCURRENCY, LATENCY_MS, PAGE_SIZE } from '../config.js';
import type { BenchResults } from '../results.js';
import { floorMs, measuredExport } from '../targets.js';

/** The chart of wall time against sessions per day, as SVG written by hand. */

const WIDTH = 960;
const HEIGHT = 560;
const PLOT = { left: 90, right: WIDTH - 40, top: 80, bottom: HEIGHT - 80 };
const FONT = 'DejaVu Sans, sans-serif';

interface Series {
  readonly label: string;
  readonly color: string;
  readonly dashed: boolean;
  /** Points in (sessions, seconds). */
  readonly points: readonly (readonly [number, number])[];
  readonly labelled: boolean;
}

export function renderChart(results: BenchResults): string {
  const sizes = [...new Set(results.exports.map((run) => run.sessions))].sort((a, b) => a - b);
  const xMax = axisMax(Math.max(...sizes) * 1.1);
  const series = seriesOf(results, sizes, xMax);
  const yMax = axisMax(Math.max(...series.flatMap((s) => s.points.map(([, y]) => y))) * 1.05);
  const x = (n: number): number => PLOT.left + ((PLOT.right - PLOT.left) * n) / xMax;
  const y = (s: number): number => PLOT.bottom - ((PLOT.bottom - PLOT.top) * s) / yMax;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="${FONT}">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    text(WIDTH / 2, 32, `Exporting one day: wall time against sessions (latency ${LATENCY_MS} ms per request)`, {
      anchor: 'middle',
      size: 18,
      weight: 'bold',
    }),
    text(WIDTH / 2, 54, `Floor: ⌈N/${PAGE_SIZE}⌉ requests × ${LATENCY_MS} ms ÷ concurrency. Each point is one run.`, {
      anchor: 'middle',
      color: '#555555',
    }),
    ...axes(xMax, yMax, x, y),
    `<clipPath id="plot"><rect x="${PLOT.left}" y="${PLOT.top}" width="${PLOT.right - PLOT.left}" height="${PLOT.bottom - PLOT.top}"/></clipPath>`,
    ...series.flatMap((s) => drawSeries(s, x, y)),
    ...legend(series),
    '</svg>',
  ].join('\n');
}

function seriesOf(results: BenchResults, sizes: readonly number[], xMax: number): Series[] {
  const measured = (concurrency: number): [number, number][] =>
    sizes.flatMap((n) => {
      const run = measuredExport(results, n, concurrency);
      return run ? [[n, run.exporter.wallMs / 1000] as [number, number]] : [];
    });
  const floor = (concurrency: number): [number, number][] => [
    [0, 0],
    [xMax, floorMs(xMax, concurrency) / 1000],
  ];
  return [
    { label: 'Concurrency 1', color: '#c0392b', dashed: false, points: measured(1), labelled: true },
    {
      label: `Ours: concurrency ${CONCURRENCY}`,
      color: '#1f5fa8',
      dashed: false,
      points: measured(CONCURRENCY),
      labelled: true,
    },
    { label: 'Floor, concurrency 1', color: '#e39b93', dashed: true, points: floor(1), labelled: false },
    {
      label: `Floor, concurrency ${CONCURRENCY}`,
      color: '#8fb3dd',
      dashed: true,
      points: floor(CONCURRENCY),
      labelled: false,
    },
  ];
}

function axes(xMax: number, yMax: number, x: (n: number) => number, y: (s: number) => number): string[] {
  const xStep = step(xMax);
  const yStep = step(yMax);
  const parts: string[] = [];
  for (let v = 0; v <= yMax + 1e-9; v += yStep) {
    parts.push(line(PLOT.left, y(v), PLOT.right, y(v), '#e6e6e6'));
    parts.push(text(PLOT.left - 10, y(v) + 5, String(round(v)), { anchor: 'end' }));
  }
  for (let v = 0; v <= xMax + 1e-9; v += xStep) {
    parts.push(line(x(v), PLOT.bottom, x(v), PLOT.bottom + 6, '#333333'));
    parts.push(text(x(v), PLOT.bottom + 24, v === 0 ? '0' : `${round(v / 1000)}k`, { anchor: 'middle' }));
  }
  parts.push(line(PLOT.left, PLOT.bottom, PLOT.right, PLOT.bottom, '#333333'));
  parts.push(line(PLOT.left, PLOT.top, PLOT.left, PLOT.bottom, '#333333'));
  parts.push(text((PLOT.left + PLOT.right) / 2, HEIGHT - 28, 'Sessions in the day', { anchor: 'middle', size: 15 }));
  const middle = (PLOT.top + PLOT.bottom) / 2;
  parts.push(
    `<text x="28" y="${middle}" font-size="15" text-anchor="middle" transform="rotate(-90 28 ${middle})">Wall time (s)</text>`,
  );
  return parts;
}

function drawSeries(s: Series, x: (n: number) => number, y: (v: number) => number): string[] {
  const path = s.points.map(([n, v]) => `${x(n).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const dash = s.dashed ? ' stroke-dasharray="8 6"' : '';
  const parts = [
    `<polyline clip-path="url(#plot)" points="${path}" fill="none" stroke="${s.color}" stroke-width="${s.dashed ? 2 : 3}"${dash}/>`,
  ];
  if (!s.labelled) return parts;
  s.points.forEach(([n, v], i) => {
    // Labels left of every point but the last, so that they stay off the line that leaves it.
    const last = i === s.points.length - 1;
    parts.push(`<circle cx="${x(n).toFixed(1)}" cy="${y(v).toFixed(1)}" r="5.5" fill="${s.color}"/>`);
    parts.push(
      text(x(n) + (last ? 10 : -10), y(v) - 10, `${v.toFixed(1)} s`, {
        anchor: last ? 'start' : 'end',
        color: s.color,
        weight: 'bold',
        halo: true,
      }),
    );
  });
  return parts;
}

function legend(series: readonly Series[]): string[] {
  const [left, top] = [PLOT.left + 20, PLOT.top + 10];
  const parts = [
    `<rect x="${left - 10}" y="${top - 6}" width="250" height="${series.length * 24 + 8}" fill="#ffffff" fill-opacity="0.9" stroke="#cccccc"/>`,
  ];
  series.forEach((s, i) => {
    const rowY = top + 12 + i * 24;
    const dash = s.dashed ? ' stroke-dasharray="8 6"' : '';
    parts.push(
      `<line x1="${left}" y1="${rowY}" x2="${left + 36}" y2="${rowY}" stroke="${s.color}" stroke-width="3"${dash}/>`,
    );
    parts.push(text(left + 46, rowY + 5, s.label, {}));
  });
  return parts;
}

interface TextStyle {
  readonly anchor?: 'start' | 'middle' | 'end';
  readonly size?: number;
  readonly weight?: 'bold';
  readonly color?: string;
  /** A white outline, to stay legible over grid and lines. */
  readonly halo?: boolean;
}

function text(x: number, y: number, content: string, style: TextStyle): string {
  const weight = style.weight ? ` font-weight="${style.weight}"` : '';
  const halo = style.halo ? ' stroke="#ffffff" stroke-width="4" paint-order="stroke"' : '';
  return (
    `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-size="${style.size ?? 13}" text-anchor="${style.anchor ?? 'start'}"` +
    ` fill="${style.color ?? '#222222'}"${weight}${halo}>${escapeXml(content)}</text>`
  );
}

function line(x1: number, y1: number, x2: number, y2: number, color: string): string {
  return `<line x1="${x1.toFixed(1)}" y1="${y1.toFixed(1)}" x2="${x2.toFixed(1)}" y2="${y2.toFixed(1)}" stroke="${color}" stroke-width="1"/>`;
}

/** The first whole tick at or above `value`. */
function axisMax(value: number): number {
  const tick = step(value);
  return Math.ceil(value / tick) * tick;
}

/** A round tick step (1, 2, 2.5 or 5 × 10^k) giving at most 8 ticks up to `max`. */
function step(max: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(max));
  return [0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5].map((m) => m * magnitude).find((s) => max / s <= 8) ?? magnitude;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function escapeXml(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
