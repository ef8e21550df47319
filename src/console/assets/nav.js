import { h, initials } from './dom.js';

// The left navigation: inbox views with open counts, dashboard, admin sections (admins only), the signed-in agent.

const INBOX_VIEWS = [
  ['mine', 'Mine'],
  ['unassigned', 'Unassigned'],
  ['teams', 'My teams'],
  ['all', 'All'],
];
export const ADMIN_SECTIONS = [
  ['channels', 'Channels'],
  ['agents', 'Agents'],
  ['teams', 'Teams'],
  ['knowledge', 'Knowledge'],
  ['canned', 'Canned responses'],
  ['actions', 'Actions'],
  ['ai', 'AI settings'],
  ['api-keys', 'API keys'],
  ['webhooks', 'Webhooks'],
  ['queues', 'Queues'],
];

/** @typedef {ReturnType<typeof buildNav>} Nav */

/** @param {{me: import('./app.js').Me, onSignOut: () => void}} options */
export function buildNav({ me, onSignOut }) {
  /** @type {Map<string, HTMLAnchorElement>} */
  const links = new Map();
  /** @type {Map<string, {count: HTMLSpanElement, a: HTMLAnchorElement, label: string}>} */
  const counts = new Map();
  /** @param {string} key @param {string} href @param {string} label @param {boolean} [withCount] */
  const link = (key, href, label, withCount = false) => {
    const count = withCount ? h('span', { class: 'nav-count', 'aria-hidden': 'true' }) : null;
    const text = h('span', { class: 'nav-label' }, label);
    const a = h('a', { href, class: 'nav-link', 'data-label': label }, text, count);
    links.set(key, a);
    if (count) counts.set(key, { count, a, label });
    return h('li', {}, a);
  };
  const live = h('span', { class: 'live-dot', title: 'Connecting…', role: 'img', 'aria-label': 'Live updates: connecting' });
  const isAdmin = me.agent.role === 'admin';

  const el = h(
    'nav',
    { class: 'sidebar', 'aria-label': 'Main' },
    h('div', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'S'), h('span', {}, 'Switchboard'), live),
    h('h2', { class: 'nav-heading' }, 'Inbox'),
    h('ul', { class: 'nav-list' }, INBOX_VIEWS.map(([v, label]) => link(`inbox/${v}`, `#/inbox/${v}`, label, true))),
    h('h2', { class: 'nav-heading' }, 'Insights'),
    h('ul', { class: 'nav-list' }, link('dashboard', '#/dashboard', 'Dashboard')),
    isAdmin
      ? [
          h('h2', { class: 'nav-heading' }, 'Admin'),
          h('ul', { class: 'nav-list' }, ADMIN_SECTIONS.map(([s, label]) => link(`admin/${s}`, `#/admin/${s}`, label))),
        ]
      : null,
    h(
      'div',
      { class: 'nav-me' },
      h('span', { class: 'avatar avatar-sm', 'aria-hidden': 'true' }, initials(me.agent.name)),
      h('span', { class: 'nav-me-text' }, h('strong', {}, me.agent.name), h('span', { class: 'muted small' }, me.agent.role === 'admin' ? 'Admin' : 'Agent')),
      h('button', { type: 'button', class: 'btn btn-ghost btn-sm', onclick: onSignOut }, 'Sign out'),
    ),
  );

  return {
    el,
    /** @param {string} name @param {string} arg */
    setActive(name, arg) {
      const key = name === 'sessions' ? null : arg ? `${name}/${arg}` : name === 'admin' ? 'admin/channels' : name;
      for (const [k, a] of links) {
        if (k === key) a.setAttribute('aria-current', 'page');
        else a.removeAttribute('aria-current');
      }
    },
    /** @param {Record<string, number>} values open sessions by inbox view */
    setCounts(values) {
      for (const [key, { count, a, label }] of counts) {
        const n = values[key.split('/')[1]];
        count.textContent = n === undefined ? '' : n > 99 ? '99+' : String(n);
        // The link's name stays "Mine" etc. for tests and screen readers; the count goes to its description.
        if (n === undefined) a.removeAttribute('title');
        else a.setAttribute('title', `${label}: ${n} open`);
      }
    },
    /** @param {import('./api.js').LiveStatus} status */
    setLive(status) {
      live.dataset.state = status;
      const text = status === 'live' ? 'Live updates on' : status === 'reconnecting' ? 'Reconnecting…' : 'Live updates off';
      live.title = text;
      live.setAttribute('aria-label', `Live updates: ${status}`);
    },
  };
}

/** Open sessions, counted per inbox view (up to 500: beyond that the number is a lower bound). */
/** @param {import('./api.js').Api} api @param {import('./app.js').Me} me @param {Nav} nav */
export async function updateCounts(api, me, nav) {
  const teamIds = await myTeamIds(api, me);
  const open = [];
  let cursor;
  for (let page = 0; page < 5; page++) {
    const out = await api.get(`/chat/sessions${api.qs({ status: 'open', limit: 100, cursor })}`);
    open.push(...out.items);
    if (!out.next) break;
    cursor = out.next;
  }
  nav.setCounts({
    mine: open.filter((s) => s.assignee_id === me.agent.id).length,
    unassigned: open.filter((s) => !s.assignee_id).length,
    teams: open.filter((s) => s.team && teamIds.includes(s.team.id)).length,
    all: open.length,
  });
}

/** The teams of the signed-in agent (cached on `me` for the page's life). */
/** @param {import('./api.js').Api} api @param {import('./app.js').Me} me @returns {Promise<string[]>} */
export async function myTeamIds(api, me) {
  if (!me.teamIds) {
    try {
      const agent = await api.get(`/agents/${me.agent.id}`);
      me.teamIds = agent.teams.map((/** @type {{id: string}} */ t) => t.id);
    } catch {
      me.teamIds = [];
    }
  }
  return me.teamIds ?? []; // set just above
}
