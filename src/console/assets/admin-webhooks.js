// Admin › Webhooks: endpoints that receive Switchboard events (signing secret shown once) and their recent deliveries.
import { badge, button, copyBox, el, field, formCard, header, input, listAll, notice, table, timeAgo } from './admin-ui.js';

const EVENTS = ['conversation.started', 'conversation.contact_response', 'conversation.ai_response', 'conversation.agent_response',
  'conversation.handoff_to_human', 'conversation.closed', 'conversation.assigned', 'message.status', 'action.called', 'action.completed'];
const STATUS_TONE = { succeeded: 'ok', failed: 'danger', pending: 'warn' };

/** @param {HTMLElement} root @param {import('./app.js').ViewCtx} ctx */
export async function renderWebhooks(root, ctx) {
  const { api } = ctx;
  const status = notice();
  const reveal = el('div');
  const body = el('div', { class: 'adm-stack' });
  const deliveries = el('div', { class: 'adm-stack' });
  const load = async () => {
    const endpoints = await listAll(api, '/webhook-endpoints');
    const rows = endpoints.map((w) => {
      const toggle = el('input', { type: 'checkbox', role: 'switch', class: 'adm-switch', checked: w.enabled, 'aria-label': `Enabled ${w.url}` });
      toggle.addEventListener('change', async () => {
        try {
          await api.patch(`/webhook-endpoints/${w.id}`, { enabled: toggle.checked });
          status.ok(toggle.checked ? 'Endpoint enabled.' : 'Endpoint disabled.');
        } catch (err) {
          toggle.checked = !toggle.checked;
          status.error(err);
        }
      });
      return [
        el('div', {}, el('code', {}, w.url), w.description ? el('small', { class: 'adm-help' }, ` ${w.description}`) : null),
        w.events.includes('*') ? 'All events' : w.events.join(', '),
        el('span', { class: 'adm-field-control' }, toggle, w.disabled_reason ? badge(w.disabled_reason, 'warn') : null),
        el('span', { class: 'adm-row-actions' },
          button('Deliveries', () => showDeliveries(w).catch((e) => status.error(e)), { ariaLabel: `Deliveries of ${w.url}` }),
          button('Delete', async () => {
            if (!window.confirm(`Delete the endpoint ${w.url}?`)) return;
            try {
              await api.del(`/webhook-endpoints/${w.id}`);
              status.ok('Endpoint deleted.');
              await load();
            } catch (err) {
              status.error(err);
            }
          }, { kind: 'danger', ariaLabel: `Delete ${w.url}` })),
      ];
    });
    body.replaceChildren(table('Webhook endpoints', ['URL', 'Events', 'Enabled', ''], rows, 'No endpoints yet. Add one to get events pushed to your systems.'));
  };
  const showDeliveries = async (w) => {
    const page = await api.get(`/webhook-endpoints/${w.id}/deliveries?limit=50`);
    const rows = page.items.map((d) => [
      d.event_type, badge(d.status, STATUS_TONE[d.status]), String(d.attempt), d.response_status ?? '—',
      d.error ?? (d.response_body ? d.response_body.slice(0, 80) : ''), d.duration_ms != null ? `${d.duration_ms} ms` : '—', timeAgo(d.created_at),
      d.status === 'failed' ? button('Retry', async () => {
        try {
          await api.post(`/webhook-endpoints/${w.id}/deliveries/${d.id}/retry`, {});
          status.ok('Retry queued.');
          await showDeliveries(w);
        } catch (err) {
          status.error(err);
        }
      }, { ariaLabel: `Retry delivery ${d.id}` }) : '',
    ]);
    deliveries.replaceChildren(el('section', { class: 'adm-card', 'aria-label': 'Recent deliveries' },
      el('h2', {}, 'Recent deliveries to ', el('code', {}, w.url)),
      table('Recent deliveries', ['Event', 'Status', 'Attempt', 'HTTP', 'Response / error', 'Took', 'When', ''], rows, 'No deliveries yet.')));
  };
  const create = () => {
    const url = input({ type: 'url', placeholder: 'https://example.com/hooks/switchboard' });
    const description = input();
    const all = el('input', { type: 'checkbox', value: '*', checked: true, id: 'wh-all' });
    const boxes = EVENTS.map((e) => el('label', { class: 'adm-switch-label' }, el('input', { type: 'checkbox', value: e }), e));
    const events = el('div', { class: 'adm-tags', role: 'group', 'aria-label': 'Events' }, el('label', { class: 'adm-switch-label', for: 'wh-all' }, all, 'All events'), ...boxes);
    body.replaceChildren(formCard('New webhook endpoint', [
      field('URL', url).row, field('Description', description).row, el('div', { class: 'adm-field' }, el('span', {}, 'Events'), events),
    ], async () => {
      const picked = all.checked ? ['*'] : [.../** @type {NodeListOf<HTMLInputElement>} */ (events.querySelectorAll('input:checked'))].map((c) => c.value);
      if (picked.length === 0) throw new Error('Pick at least one event.');
      const payload = { url: url.value.trim(), events: picked };
      if (description.value.trim()) payload.description = description.value.trim();
      const created = await api.post('/webhook-endpoints', payload);
      reveal.replaceChildren(el('section', { class: 'adm-card adm-secret', 'aria-label': 'Signing secret' },
        el('p', { class: 'adm-warning', role: 'alert' }, 'Copy the signing secret now: it is shown only once. Use it to verify the webhook-signature header.'),
        copyBox('Signing secret', created.secret, { secret: true }),
        button('Done', () => reveal.replaceChildren())));
      await load();
    }, 'Create endpoint', [button('Cancel', () => load().catch((e) => status.error(e)))]));
    url.focus();
  };
  root.replaceChildren(header('Webhooks', 'Switchboard POSTs events to these URLs, signed with Standard Webhooks.',
    button('New endpoint', create, { kind: 'primary' })), status, reveal, body, deliveries);
  await load();
}
