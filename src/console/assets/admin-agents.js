// Admin › Agents: who answers conversations, their role and availability; invite with a console password.
import { badge, button, el, field, formCard, header, input, listAll, notice, select, table } from './admin-ui.js';

const AVAIL_TONE = { online: 'ok', away: 'warn', offline: 'muted' };

/** @param {HTMLElement} root @param {import('./app.js').ViewCtx} ctx */
export async function renderAgents(root, ctx) {
  const { api } = ctx;
  const status = notice();
  const body = el('div', { class: 'adm-stack' });
  const load = async () => {
    const agents = await listAll(api, '/agents');
    const rows = agents.map((a) => {
      const avail = select(['online', 'away', 'offline'], a.availability, { 'aria-label': `Availability of ${a.name}` });
      avail.addEventListener('change', async () => {
        try {
          await api.patch(`/agents/${a.id}`, { availability: avail.value });
          status.ok(`${a.name} is now ${avail.value}.`);
        } catch (err) {
          avail.value = a.availability;
          status.error(err);
        }
      });
      const role = select(['agent', 'admin'], a.role, { 'aria-label': `Role of ${a.name}` });
      role.addEventListener('change', async () => {
        try {
          await api.patch(`/agents/${a.id}`, { role: role.value });
          status.ok(`${a.name} is now ${role.value === 'admin' ? 'an admin' : 'an agent'}.`);
        } catch (err) {
          role.value = a.role;
          status.error(err);
        }
      });
      return [
        el('div', {}, el('div', { class: 'adm-link' }, a.name), el('small', { class: 'adm-help' }, a.email)),
        role,
        el('span', { class: 'adm-field-control' }, badge(a.availability, AVAIL_TONE[a.availability]), avail),
        a.teams.map((t) => t.name).join(', ') || '—',
        `${a.open_sessions} / ${a.capacity}`,
        a.password_set ? badge('Console access', 'ok') : badge('No password', 'muted'),
        button('Remove', async () => {
          if (!window.confirm(`Remove ${a.name}? Their open conversations go back to the queue.`)) return;
          try {
            await api.del(`/agents/${a.id}`);
            status.ok(`${a.name} removed.`);
            await load();
          } catch (err) {
            status.error(err);
          }
        }, { kind: 'danger', ariaLabel: `Remove ${a.name}` }),
      ];
    });
    body.replaceChildren(table('Agents', ['Agent', 'Role', 'Availability', 'Teams', 'Open / capacity', 'Console', ''], rows, 'No agents yet.'));
  };
  const invite = () => {
    const name = input({ autocomplete: 'off' });
    const email = input({ type: 'email', autocomplete: 'off' });
    const role = select(['agent', 'admin'], 'agent');
    const password = input({ type: 'password', autocomplete: 'new-password' });
    const capacity = input({ type: 'number', min: 0, max: 100, placeholder: '5' });
    body.replaceChildren(formCard('Invite agent', [
      field('Name', name).row, field('Email', email).row, field('Role', role).row,
      field('Password', password, 'At least 12 characters, not a common password. Share it with them privately; they sign in at /console.').row,
      field('Capacity', capacity, 'Most open conversations assigned at once.').row,
    ], async () => {
      const payload = { name: name.value.trim(), email: email.value.trim(), role: role.value, availability: 'offline' };
      if (password.value) payload.password = password.value;
      if (capacity.value) payload.capacity = Number(capacity.value);
      await api.post('/agents', payload);
      status.ok(`${payload.name} invited.`);
      await load();
    }, 'Send invite', [button('Cancel', () => load().catch((e) => status.error(e)))]));
    name.focus();
  };
  root.replaceChildren(header('Agents', 'People who answer conversations. Only online agents get new conversations assigned.',
    button('Invite agent', invite, { kind: 'primary' })), status, body);
  await load();
}
