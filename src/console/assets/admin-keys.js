// Admin › API keys: list, create (the secret is shown once, here) and revoke.
import { badge, button, copyBox, el, field, formCard, header, input, listAll, notice, select, table, timeAgo } from './admin-ui.js';

/** @param {HTMLElement} root @param {import('./app.js').ViewCtx} ctx */
export async function renderApiKeys(root, ctx) {
  const { api } = ctx;
  const status = notice();
  const reveal = el('div');
  const body = el('div', { class: 'adm-stack' });
  const load = async () => {
    const keys = await listAll(api, '/api-keys');
    const rows = keys.map((k) => [
      k.name, badge(k.role, k.role === 'admin' ? 'warn' : 'info'), el('code', {}, k.key_prefix.endsWith('…') ? k.key_prefix : `${k.key_prefix}…`), timeAgo(k.created_at), timeAgo(k.last_used_at),
      button('Revoke', async () => {
        if (!window.confirm(`Revoke the key “${k.name}”? Anything using it stops working at once.`)) return;
        try {
          await api.del(`/api-keys/${k.id}`);
          status.ok('Key revoked.');
          await load();
        } catch (err) {
          status.error(err);
        }
      }, { kind: 'danger', ariaLabel: `Revoke ${k.name}` }),
    ]);
    body.replaceChildren(table('API keys', ['Name', 'Role', 'Key', 'Created', 'Last used', ''], rows, 'No API keys yet.'));
  };
  const create = async () => {
    const agents = await listAll(api, '/agents');
    const name = input({ autocomplete: 'off' });
    const role = select([{ value: 'admin', label: 'Admin — full access' }, { value: 'agent', label: 'Agent — acts as one agent' }, { value: 'widget', label: 'Widget — web chat only' }], 'admin');
    const agent = select(agents.map((a) => ({ value: a.id, label: `${a.name} <${a.email}>` })), agents[0]?.id);
    const agentRow = field('Acts as agent', agent).row;
    agentRow.hidden = true;
    role.addEventListener('change', () => { agentRow.hidden = role.value !== 'agent'; });
    body.replaceChildren(formCard('New API key', [field('Name', name, 'What uses it, e.g. "CRM sync".').row, field('Role', role).row, agentRow], async () => {
      const payload = { name: name.value.trim(), role: role.value };
      if (role.value === 'agent') payload.agent_id = agent.value;
      const created = await api.post('/api-keys', payload);
      reveal.replaceChildren(el('section', { class: 'adm-card adm-secret', 'aria-label': 'New API key' },
        el('p', { class: 'adm-warning', role: 'alert' }, 'Copy this key now: it is shown only once and cannot be recovered.'),
        copyBox(`API key ${created.name}`, created.key, { secret: true }),
        button('Done', () => reveal.replaceChildren())));
      await load();
    }, 'Create key', [button('Cancel', () => load().catch((e) => status.error(e)))]));
    name.focus();
  };
  root.replaceChildren(header('API keys', 'Keys for servers and integrations calling the Switchboard API.',
    button('New API key', () => create().catch((e) => status.error(e)), { kind: 'primary' })), status, reveal, body);
  await load();
}
