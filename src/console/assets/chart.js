// Hand-drawn SVG charts for the dashboard (no library: the console has no build step and a strict CSP). Colours are
// SVG presentation attributes, which the CSP allows, and every chart has a text summary for screen readers.
const NS = 'http://www.w3.org/2000/svg';

export const PALETTE = ['#4f46e5', '#0ea5e9', '#10b981', '#f59e0b', '#ef4444', '#8b5cf6', '#ec4899', '#64748b'];

/** An SVG element; children may be nodes or strings (set as text, never parsed). */
export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) node.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  return node;
}

/** A "nice" axis maximum and step for a maximum value (1, 2, 5 × 10^n). */
function niceScale(max, ticks = 4) {
  if (max <= 0) return { top: ticks, step: 1 };
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  return { top: Math.max(step * Math.ceil(max / step), step), step: Math.max(1, step) };
}

function frame(width, height, label) {
  return svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': label, preserveAspectRatio: 'xMidYMid meet' },
    svg('title', {}, label));
}

/**
 * Stacked bars: one bar per category (x), one segment per series.
 * series: [{ name, color, values: number[] }] aligned with `categories`.
 */
export function stackedBars({ categories, series, label, formatX = (x) => x }) {
  const W = 1000, H = 250, L = 36, R = 8, T = 10, B = 28;
  const totals = categories.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const { top, step } = niceScale(Math.max(0, ...totals));
  const root = frame(W, H, label);
  const plotW = W - L - R, plotH = H - T - B;
  const y = (v) => T + plotH - (v / top) * plotH;
  for (let v = 0; v <= top; v += step) {
    root.append(svg('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: 'chart-grid' }),
      svg('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'chart-axis' }, String(v)));
  }
  const slot = plotW / Math.max(1, categories.length);
  const barW = Math.max(4, Math.min(36, slot * 0.65));
  const labelEvery = Math.ceil(categories.length / 10);
  categories.forEach((cat, i) => {
    const x = L + slot * i + (slot - barW) / 2;
    let acc = 0;
    for (const s of series) {
      const v = s.values[i] ?? 0;
      if (v <= 0) continue;
      const rect = svg('rect', { x, y: y(acc + v), width: barW, height: Math.max(1, y(acc) - y(acc + v)), fill: s.color, rx: 2 },
        svg('title', {}, `${formatX(cat)} · ${s.name}: ${v}`));
      root.append(rect);
      acc += v;
    }
    if (i % labelEvery === 0) root.append(svg('text', { x: x + barW / 2, y: H - 8, 'text-anchor': 'middle', class: 'chart-axis' }, formatX(cat)));
  });
  return root;
}

/** A donut with the total in the middle. parts: [{ label, value, color }]. */
export function donut({ parts, label, centerLabel = 'total' }) {
  const S = 180, r = 70, stroke = 26, c = S / 2;
  const total = parts.reduce((sum, p) => sum + p.value, 0);
  const root = frame(S, S, label);
  root.append(svg('circle', { cx: c, cy: c, r, fill: 'none', stroke: '#e5e7eb', 'stroke-width': stroke }));
  const circumference = 2 * Math.PI * r;
  let offset = 0;
  for (const p of parts) {
    if (total === 0 || p.value <= 0) continue;
    const len = (p.value / total) * circumference;
    root.append(svg('circle', {
      cx: c, cy: c, r, fill: 'none', stroke: p.color, 'stroke-width': stroke,
      'stroke-dasharray': `${len} ${circumference - len}`, 'stroke-dashoffset': -offset, transform: `rotate(-90 ${c} ${c})`,
    }, svg('title', {}, `${p.label}: ${p.value} (${Math.round((p.value / total) * 100)}%)`)));
    offset += len;
  }
  root.append(svg('text', { x: c, y: c + 2, 'text-anchor': 'middle', class: 'chart-big' }, String(total)),
    svg('text', { x: c, y: c + 22, 'text-anchor': 'middle', class: 'chart-axis' }, centerLabel));
  return root;
}

/**
 * Horizontal bars with the label on the left and the value on the right. items: [{ label, value }]; the bars scale
 * to `scaleMax` when given (a 1–5 rating), else to the largest value.
 * @param {{ items: Array<{ label: string, value: number }>, label: string, color?: string, scaleMax?: number }} opts
 */
export function hbars({ items, label, color = PALETTE[0], scaleMax }) {
  const rowH = 30, W = 440, L = 150, R = 40;
  const H = Math.max(1, items.length) * rowH + 4;
  const max = scaleMax ?? Math.max(1, ...items.map((i) => i.value));
  const root = frame(W, H, label);
  items.forEach((item, i) => {
    const yy = i * rowH + 4;
    const w = ((W - L - R) * item.value) / max;
    const name = item.label.length > 20 ? `${item.label.slice(0, 19)}…` : item.label;
    root.append(
      svg('text', { x: L - 8, y: yy + 17, 'text-anchor': 'end', class: 'chart-label' }, name, svg('title', {}, item.label)),
      svg('rect', { x: L, y: yy + 4, width: W - L - R, height: rowH - 10, fill: '#f1f5f9', rx: 4 }),
      svg('rect', { x: L, y: yy + 4, width: Math.max(item.value > 0 ? 3 : 0, w), height: rowH - 10, fill: color, rx: 4 },
        svg('title', {}, `${item.label}: ${item.value}`)),
      svg('text', { x: W - R + 6, y: yy + 17, class: 'chart-value' }, String(item.value)));
  });
  return root;
}
