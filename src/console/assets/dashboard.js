// The dashboard: what a support lead checks at a glance (volume by channel, who resolves, how fast, what waits).
import { el } from './admin-ui.js';
import { PALETTE, donut, hbars, stackedBars } from './chart.js';

const RANGES = [7, 14, 30];
const CHANNEL_NAMES = { web: 'Web chat', sms: 'SMS', whatsapp: 'WhatsApp', phone_voice: 'Phone', slack: 'Slack', email: 'Email', api: 'API' };

/** @param {HTMLElement} root @param {import('./app.js').ViewCtx} ctx */
export async function render(root, ctx) {
  const days = Number(new URLSearchParams(window.location.hash.split('?')[1] ?? '').get('days')) || 14;
  const body = el('div', { class: 'dash-body' }, el('div', { class: 'adm-loading', role: 'status' }, 'Loading…'));
  const picker = el('div', { class: 'dash-range', role: 'group', 'aria-label': 'Period' },
    ...RANGES.map((d) => el('button', {
      type: 'button', class: 'adm-btn adm-btn-secondary', 'aria-pressed': d === days ? 'true' : 'false',
      onclick: () => draw(d),
    }, `${d} days`)));
  root.replaceChildren(el('div', { class: 'dash' },
    el('div', { class: 'adm-head' }, el('div', {}, el('h1', {}, 'Dashboard'), el('p', { class: 'adm-help', id: 'dash-sub' }, `Last ${days} days`)), picker),
    body));

  async function draw(d) {
    for (const b of picker.children) b.setAttribute('aria-pressed', b.textContent === `${d} days` ? 'true' : 'false');
    /** @type {HTMLElement} drawn above */ (root.querySelector('#dash-sub')).textContent = `Last ${d} days`;
    try {
      const data = await ctx.api.get(`/console/api/dashboard?days=${d}`);
      body.replaceChildren(...view(data, d));
    } catch (/** @type {any} */ err) {
      body.replaceChildren(el('div', { class: 'adm-notice adm-notice-error', role: 'alert' }, `Could not load the dashboard: ${err?.message ?? err}`));
    }
  }
  await draw(days);
}

function view(data, days) {
  const totals = data.totals ?? { sessions: 0, open: 0, resolved: 0 };
  const by = data.resolved_by ?? { ai: 0, human: 0, unresolved: 0 };
  const resolvedTotal = (by.ai ?? 0) + (by.human ?? 0);
  const aiShare = resolvedTotal > 0 ? `${Math.round((by.ai / resolvedTotal) * 100)}% by AI` : 'nothing resolved yet';
  return [
    el('div', { class: 'dash-tiles' },
      tile('Conversations', String(totals.sessions), `last ${days} days`),
      tile('Open now', String(totals.open), 'waiting or in progress'),
      tile('Resolved', String(totals.resolved), aiShare),
      tile('First response', duration(data.first_response_seconds?.p50), `p90 ${duration(data.first_response_seconds?.p90)}`),
      tile('Resolution time', duration(data.resolution_seconds?.p50), `p90 ${duration(data.resolution_seconds?.p90)}`),
      tile('CSAT', data.csat?.average == null ? '—' : `${data.csat.average.toFixed(1)} / 5`, data.csat?.count ? `${data.csat.count} ratings` : 'no ratings yet')),
    el('div', { class: 'dash-grid' },
      card('Conversations per channel', 'dash-wide', volumeChart(data.sessions_per_channel_per_day ?? [], days)),
      card('Resolved by', '', resolvedChart(by)),
      card('Open by team', '', teamChart(data.open_by_team ?? [])),
      card('CSAT per day', 'dash-wide', csatChart(data.csat?.trend ?? []))),
  ];
}

/** Average rating per day (1–5), the days without ratings left out. */
function csatChart(trend) {
  if (!trend.length) return el('p', { class: 'adm-help' }, 'No ratings in this period. Turn CSAT on per channel (Admin → Channels).');
  const fmt = (day) => day.slice(5);
  return hbars({ items: trend.map((t) => ({ label: `${fmt(t.day)} (${t.count})`, value: t.average })), label: 'Average CSAT rating per day', scaleMax: 5 });
}

function tile(label, value, sub) {
  return el('section', { class: 'dash-tile', 'aria-label': label },
    el('div', { class: 'dash-tile-label' }, label), el('div', { class: 'dash-tile-value' }, value), el('div', { class: 'dash-tile-sub' }, sub));
}

function card(title, extra, ...content) {
  return el('section', { class: `adm-card dash-card ${extra}`, 'aria-label': title }, el('h2', {}, title), ...content);
}

function legend(items) {
  return el('ul', { class: 'chart-legend', 'aria-label': 'Legend' },
    ...items.map((i) => el('li', {}, el('span', { class: `chart-swatch chart-c${i.index}`, 'aria-hidden': 'true' }), `${i.label}${i.value !== undefined ? ` · ${i.value}` : ''}`)));
}

function volumeChart(rows, days) {
  // Every day of the period gets a slot, so quiet days show as gaps rather than disappearing.
  const end = new Date();
  const categories = [];
  for (let i = days - 1; i >= 0; i--) categories.push(new Date(end.getTime() - i * 86400000).toISOString().slice(0, 10));
  for (const r of rows) if (!categories.includes(r.day)) categories.push(r.day);
  categories.sort();
  const channels = [...new Set(rows.map((r) => r.channel))].sort();
  if (channels.length === 0) return el('div', { class: 'adm-empty' }, 'No conversations in this period yet.');
  const series = channels.map((ch, i) => ({
    name: CHANNEL_NAMES[ch] ?? ch,
    color: PALETTE[i % PALETTE.length],
    values: categories.map((d) => rows.filter((r) => r.day === d && r.channel === ch).reduce((s, r) => s + r.count, 0)),
  }));
  const fmt = (d) => new Date(`${d}T00:00:00Z`).toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
  const chart = stackedBars({ categories, series, label: `Conversations per day by channel, last ${days} days`, formatX: fmt });
  return el('div', {}, chart, legend(series.map((s, i) => ({ label: s.name, index: i % PALETTE.length, value: s.values.reduce((a, b) => a + b, 0) }))));
}

function resolvedChart(by) {
  const parts = [
    { label: 'AI', value: by.ai ?? 0, color: PALETTE[0], index: 0 },
    { label: 'Humans', value: by.human ?? 0, color: PALETTE[2], index: 2 },
    { label: 'Unresolved', value: by.unresolved ?? 0, color: PALETTE[7], index: 7 },
  ];
  return el('div', { class: 'dash-donut' }, donut({ parts, label: `Resolved by AI ${parts[0].value}, by humans ${parts[1].value}, unresolved ${parts[2].value}`, centerLabel: 'conversations' }), legend(parts));
}

function teamChart(rows) {
  if (rows.length === 0 || rows.every((r) => r.count === 0)) return el('div', { class: 'adm-empty' }, 'Nothing waiting. The queue is empty.');
  const items = [...rows].sort((a, b) => b.count - a.count).map((r) => ({ label: r.team ?? 'No team', value: r.count }));
  return hbars({ items, label: `Open conversations by team: ${items.map((i) => `${i.label} ${i.value}`).join(', ')}`, color: PALETTE[1] });
}

/** Seconds as "42 s", "7 min", "3.5 h", "2.1 d"; null → "—". */
export function duration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '—';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}
