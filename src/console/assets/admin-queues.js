// Admin › Queues / system: what the gateway's health check reports (database, Redis that backs the job queues),
// this organization's backlog (messages waiting for the AI, replies waiting to go out) and the job queues' counts.
import { badge, button, el, header, table, timeAgo } from './admin-ui.js';

/** @param {HTMLElement} root @param {import('./app.js').ViewCtx} ctx */
export async function renderQueues(root, ctx) {
  const body = el('div', { class: 'adm-health' });
  const work = el('div', { class: 'adm-stack' });
  const checked = el('p', { class: 'adm-help', role: 'status' });
  const load = async () => {
    let report;
    try {
      report = await ctx.api.get('/readyz');
    } catch (/** @type {any} */ err) {
      // /readyz answers 503 with the failing checks; the API wrapper turns that into an error.
      report = err?.body ?? { status: 'unavailable', checks: {}, error: err?.message ?? String(err) };
    }
    const checks = Object.entries(report.checks ?? {});
    body.replaceChildren(
      tile('Gateway', report.status === 'ready' ? 'ready' : report.status ?? 'unknown', report.error),
      ...checks.map(([name, value]) => tile(name === 'redis' ? 'Redis (job queues, sessions)' : name === 'database' ? 'Database' : name, value)));
    work.replaceChildren(await backlog(ctx.api));
    checked.textContent = `Checked ${new Date().toLocaleTimeString()}.`;
  };
  root.replaceChildren(header('System health', 'Whether the gateway can reach the database and Redis, which carries the job queues (inbound, outbound, webhooks, AI).',
    button('Refresh', () => load(), { kind: 'secondary' })), body, work, checked);
  await load();
}

function tile(name, value, detail) {
  const ok = value === 'ok' || value === 'ready';
  return el('section', { class: 'adm-card', 'aria-label': name },
    el('h2', {}, name), el('p', {}, badge(ok ? 'Healthy' : 'Problem', ok ? 'ok' : 'danger')),
    !ok || detail ? el('p', { class: 'adm-help' }, detail ?? value) : null);
}

async function backlog(api) {
  let q;
  try {
    q = await api.get('/console/api/queues');
  } catch (/** @type {any} */ err) {
    return el('p', { class: 'adm-help', role: 'alert' }, `Queues: ${err?.message ?? String(err)}`);
  }
  const since = (at) => (at ? `oldest ${timeAgo(at)}` : 'none waiting');
  const b = q.backlog;
  return el('div', { class: 'adm-stack' },
    el('section', { class: 'adm-card', 'aria-label': 'Backlog' },
      el('h2', {}, 'Backlog'),
      table('Backlog', ['Work', 'Count', 'Age'], [
        ['Customer messages waiting for an answer', String(b.pending_turns.count), since(b.pending_turns.oldest_at)],
        ['Replies waiting to be sent', String(b.queued_replies.count), since(b.queued_replies.oldest_at)],
        ['Replies that failed (24 h)', String(b.failed_replies_24h), ''],
      ])),
    el('section', { class: 'adm-card', 'aria-label': 'Job queues' },
      el('h2', {}, 'Job queues'),
      table('Job queues', ['Queue', 'Waiting', 'Active', 'Delayed', 'Failed', 'Done'],
        q.queues.map((x) => [x.name, String(x.waiting), String(x.active), String(x.delayed), String(x.failed), String(x.completed)]))));
}
