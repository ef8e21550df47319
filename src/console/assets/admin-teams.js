// Admin › Teams: routing groups with a strategy, members and business hours (edited as JSON: rare and structured).
import { badge, button, el, field, formCard, header, input, listAll, notice, select, table, textarea } from './admin-ui.js';

const HOURS_EXAMPLE = { timezone: 'Europe/Paris', days: { 1: [['09:00', '17:00']], 2: [['09:00', '17:00']], 3: [['09:00', '17:00']], 4: [['09:00', '17:00']], 5: [['09:00', '17:00']] } };

/** @param {HTMLElement} root @param {import('./app.js').ViewCtx} ctx */
export async function renderTeams(root, ctx) {
  const { api } = ctx;
  const status = notice();
  const body = el('div', { class: 'adm-stack' });
  let agents = [];
  const load = async () => {
    const [teams, people] = await Promise.all([listAll(api, '/teams'), listAll(api, '/agents')]);
    agents = people;
    const rows = teams.map((t) => [
      el('a', { href: '#', class: 'adm-link', onclick: (e) => { e.preventDefault(); edit(t); } }, t.name),
      t.strategy === 'least_busy' ? 'Least busy' : 'Round robin',
      t.members.map((m) => m.name).join(', ') || '—',
      t.business_hours ? (t.open_now ? badge('Open now', 'ok') : badge('Closed now', 'warn')) : badge('Always open', 'info'),
      button('Edit', () => edit(t), { ariaLabel: `Edit team ${t.name}` }),
    ]);
    body.replaceChildren(table('Teams', ['Team', 'Strategy', 'Members', 'Hours', ''], rows, 'No teams yet. Teams route conversations to the right people.'));
  };
  const edit = (team) => {
    const name = input({ value: team?.name ?? '' });
    const description = input({ value: team?.description ?? '' });
    const strategy = select([{ value: 'round_robin', label: 'Round robin' }, { value: 'least_busy', label: 'Least busy' }], team?.strategy ?? 'round_robin');
    const hours = textarea(team?.business_hours ? JSON.stringify(team.business_hours, null, 2) : '', { rows: 8, class: 'adm-input adm-mono', placeholder: JSON.stringify(HOURS_EXAMPLE) });
    const memberIds = new Set((team?.members ?? []).map((m) => m.id));
    const members = el('div', { class: 'adm-tags', role: 'group', 'aria-label': 'Members' },
      ...agents.map((a) => el('label', { class: 'adm-switch-label' }, el('input', { type: 'checkbox', value: a.id, checked: memberIds.has(a.id) }), a.name)));
    const form = formCard(team ? `Edit team ${team.name}` : 'New team', [
      field('Name', name).row, field('Description', description).row, field('Strategy', strategy, 'How a member is picked for a new conversation.').row,
      el('div', { class: 'adm-field' }, el('span', {}, 'Members'), members),
      field('Business hours', hours, 'JSON: {"timezone", "days": {"1": [["09:00","17:00"]]}} with 0 = Sunday; empty = always open.').row,
    ], async () => {
      let business_hours = null;
      if (hours.value.trim()) {
        try {
          business_hours = JSON.parse(hours.value);
        } catch {
          throw new Error('Business hours: not valid JSON.');
        }
      }
      const payload = { name: name.value.trim(), description: description.value.trim() || null, strategy: strategy.value, business_hours };
      const saved = team ? await api.patch(`/teams/${team.id}`, payload) : await api.post('/teams', payload);
      const wanted = new Set([.../** @type {NodeListOf<HTMLInputElement>} */ (members.querySelectorAll('input:checked'))].map((c) => c.value));
      for (const id of wanted) if (!memberIds.has(id)) await api.post(`/teams/${saved.id}/members`, { agent_id: id });
      for (const id of memberIds) if (!wanted.has(id)) await api.del(`/teams/${saved.id}/members/${id}`);
      status.ok(team ? 'Team saved.' : 'Team created.');
      await load();
    }, team ? 'Save team' : 'Create team', [
      button('Cancel', () => load().catch((e) => status.error(e))),
      team ? button('Delete team', async () => {
        if (!window.confirm(`Delete team ${team.name}?`)) return;
        try {
          await api.del(`/teams/${team.id}`);
          status.ok('Team deleted.');
          await load();
        } catch (err) {
          status.error(err);
        }
      }, { kind: 'danger' }) : null,
    ].filter(Boolean));
    body.replaceChildren(form);
    name.focus();
  };
  root.replaceChildren(header('Teams', 'Groups of agents that conversations are routed to, with their opening hours.',
    button('New team', () => edit(null), { kind: 'primary' })), status, body);
  await load();
}
