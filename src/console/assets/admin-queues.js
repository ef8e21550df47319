// Admin › Queues / system: what the gateway's health check reports (database, Redis that backs the job queues).
import { badge, button, el, header } from './admin-ui.js';

export async function renderQueues(root, ctx) {
  const body = el('div', { class: 'adm-health' });
  const checked = el('p', { class: 'adm-help', role: 'status' });
  const load = async () => {
    let report;
    try {
      report = await ctx.api.get('/readyz');
    } catch (err) {
      // /readyz answers 503 with the failing checks; the API wrapper turns that into an error.
      report = err?.body ?? { status: 'unavailable', checks: {}, error: err?.message ?? String(err) };
    }
    const checks = Object.entries(report.checks ?? {});
    body.replaceChildren(
      tile('Gateway', report.status === 'ready' ? 'ready' : report.status ?? 'unknown', report.error),
      ...checks.map(([name, value]) => tile(name === 'redis' ? 'Redis (job queues, sessions)' : name === 'database' ? 'Database' : name, value)));
    checked.textContent = `Checked ${new Date().toLocaleTimeString()}.`;
  };
  root.replaceChildren(header('System health', 'Whether the gateway can reach the database and Redis, which carries the job queues (inbound, outbound, webhooks, AI).',
    button('Refresh', () => load(), { kind: 'secondary' })), body, checked);
  await load();
}

function tile(name, value, detail) {
  const ok = value === 'ok' || value === 'ready';
  return el('section', { class: 'adm-card', 'aria-label': name },
    el('h2', {}, name), el('p', {}, badge(ok ? 'Healthy' : 'Problem', ok ? 'ok' : 'danger')),
    !ok || detail ? el('p', { class: 'adm-help' }, detail ?? value) : null);
}
