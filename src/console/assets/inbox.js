import { h, mount, toast } from './dom.js';
import { loadPreviews, sessionRow } from './inbox-item.js';
import { myTeamIds } from './nav.js';

// The inbox: one of four views (mine, unassigned, my teams, all), status / channel / priority filters and search
// (all applied by the API, never to a page in the browser), live refresh, and j/k/Enter keyboard navigation.

const TITLES = { mine: 'Assigned to me', unassigned: 'Unassigned', teams: 'My teams', all: 'All conversations' };
const EMPTY = {
  mine: 'Nothing assigned to you. Enjoy the quiet, or pick one up from Unassigned.',
  unassigned: 'Every conversation has an owner (or the AI is handling it).',
  teams: 'No conversations for your teams right now.',
  all: 'No conversations match.',
};
const STATUS_OPTIONS = [['open', 'Open'], ['closed_resolved', 'Resolved'], ['closed_unresolved', 'Closed unresolved'], ['', 'Any status']];
const CHANNEL_OPTIONS = [
  ['', 'All channels'], ['web', 'Web chat'], ['email', 'Email'], ['sms', 'SMS'],
  ['whatsapp', 'WhatsApp'], ['phone_voice', 'Phone'], ['slack', 'Slack'], ['api', 'API'],
];
const PRIORITY_OPTIONS = [['', 'Any priority'], ['urgent', 'Urgent'], ['high', 'High'], ['normal', 'Normal'], ['low', 'Low']];
const DEFAULTS = { status: 'open', channel: '', priority: '', q: '', tag: '' };
// Kept in memory across views and visits, so going back to the inbox (or to another view) keeps the filters.
const filters = { ...DEFAULTS };
/** @type {{at: number, map: Map<string, any>} | null} agents by id, and when they were fetched */
let agentsCache = null;

/** @typedef {'mine' | 'unassigned' | 'teams' | 'all'} InboxView */

/** @param {HTMLElement} root @param {import('./app.js').ViewCtx & {view: InboxView}} ctx */
export async function render(root, ctx) {
  const { api, me, view } = ctx;
  let token = 0;
  let rows = [];
  let selected = -1;

  /** A filter select bound to `filters[key]`; changing it reloads the list. */
  const filterSelect = (key, label, options) => {
    const el = h(
      'select',
      { id: `inbox-${key}`, 'aria-label': label, onchange: () => ((filters[key] = el.value), syncClear(), load()) },
      options.map(([v, text]) => h('option', { value: v, selected: filters[key] === v }, text)),
    );
    return el;
  };
  const statusSelect = filterSelect('status', 'Status', STATUS_OPTIONS);
  const channelSelect = filterSelect('channel', 'Channel', CHANNEL_OPTIONS);
  const prioritySelect = filterSelect('priority', 'Priority', PRIORITY_OPTIONS);
  let searchTimer;
  const search = h('input', {
    type: 'search',
    placeholder: 'Search name, email, message…',
    'aria-label': 'Search conversations',
    value: filters.q,
    oninput: () => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(() => ((filters.q = search.value.trim()), syncClear(), load()), 300);
    },
  });
  let tagTimer;
  const tagInput = h('input', {
    type: 'search',
    class: 'tag-filter',
    placeholder: 'Tag',
    'aria-label': 'Filter by tag',
    value: filters.tag,
    oninput: () => {
      clearTimeout(tagTimer);
      tagTimer = setTimeout(() => ((filters.tag = tagInput.value.trim().replaceAll(',', '')), syncClear(), load()), 300);
    },
  });
  const clearButton = h('button', { type: 'button', class: 'btn btn-ghost', onclick: clearFilters }, 'Clear filters');
  const isFiltered = () => Object.keys(DEFAULTS).some((k) => filters[k] !== DEFAULTS[k]);
  const syncClear = () => (clearButton.hidden = !isFiltered());
  function clearFilters() {
    clearTimeout(searchTimer);
    Object.assign(filters, DEFAULTS);
    statusSelect.value = filters.status;
    channelSelect.value = filters.channel;
    prioritySelect.value = filters.priority;
    search.value = '';
    tagInput.value = '';
    syncClear();
    load();
  }
  syncClear();
  const list = h('ul', { role: 'list', class: 'session-list', 'aria-label': 'Conversations', 'aria-busy': 'true' });
  const footer = h('div', { class: 'list-footer' });
  const count = h('span', { class: 'muted small', 'aria-live': 'polite' });

  mount(
    root,
    h(
      'section',
      { class: 'inbox', 'aria-labelledby': 'inbox-title' },
      h(
        'header',
        { class: 'view-header' },
        h('div', {}, h('h1', { id: 'inbox-title' }, TITLES[view]), count),
        h(
          'div',
          { class: 'view-tools', role: 'group', 'aria-label': 'Filters' },
          search,
          statusSelect,
          channelSelect,
          prioritySelect,
          tagInput,
          clearButton,
          h('button', { type: 'button', class: 'btn', onclick: () => load() }, 'Refresh'),
        ),
      ),
      h('div', { class: 'list-scroll' }, list, footer),
    ),
  );

  async function fetchPage(cursor) {
    const status = filters.status || undefined;
    const channel_type = filters.channel || undefined;
    const priority = filters.priority || undefined;
    const q = filters.q || undefined;
    const tags = filters.tag || undefined;
    if (view === 'teams') {
      const teamIds = await myTeamIds(api, me);
      if (!teamIds.length) return { items: [], next: null, note: 'You are not in any team yet.' };
      const page = cursor ? Number(cursor) : 1;
      const body = { team_ids: teamIds };
      if (status) body.status = [status];
      if (channel_type) body.channel_types = [channel_type];
      if (priority) body.priority = [priority];
      if (q) body.q = q;
      if (tags) body.tags = [tags];
      const out = await api.post('/chat/sessions/filter', { filters: body, page, limit: 50 });
      return { items: out.data, next: out.has_next ? String(page + 1) : null };
    }
    const byView = view === 'mine' ? { assignee_id: me.agent.id } : view === 'unassigned' ? { unassigned: 'true' } : {};
    return api.get(`/chat/sessions${api.qs({ ...byView, status, channel_type, priority, q, tags, cursor, limit: 50 })}`);
  }

  async function load(append = false, cursor = undefined) {
    const mine = ++token;
    list.setAttribute('aria-busy', 'true');
    try {
      const [page, agents] = await Promise.all([fetchPage(cursor), agentsById(api)]);
      if (mine !== token) return;
      const made = page.items.map((s) => sessionRow(s, { agentsById: agents, meId: me.agent.id }));
      const keepId = rows[selected]?.session.id;
      rows = append ? [...rows, ...made] : made;
      if (!append) list.replaceChildren();
      for (const r of made) list.appendChild(r.li);
      if (!rows.length) list.appendChild(h('li', { class: 'list-empty' }, page.note ?? (isFiltered() ? 'No conversations match these filters.' : EMPTY[view])));
      count.textContent = rows.length ? `${rows.length}${page.next ? '+' : ''} conversation${rows.length === 1 ? '' : 's'}` : '';
      mount(footer, page.next ? h('button', { type: 'button', class: 'btn', onclick: () => load(true, page.next) }, 'Load more') : null);
      select(Math.max(0, rows.findIndex((r) => r.session.id === keepId)), false);
      loadPreviews(api, made, () => mine === token);
    } catch (/** @type {any} */ err) {
      if (mine === token) {
        list.replaceChildren(h('li', { class: 'list-empty list-error', role: 'alert' }, `Could not load conversations: ${err.message}`));
      }
    } finally {
      if (mine === token) list.setAttribute('aria-busy', 'false');
    }
  }

  function select(i, focus = true) {
    if (!rows.length) return (selected = -1);
    selected = Math.min(rows.length - 1, Math.max(0, i));
    rows.forEach((r, n) => (n === selected ? r.li.setAttribute('aria-current', 'true') : r.li.removeAttribute('aria-current')));
    if (focus) {
      rows[selected].link.focus();
      rows[selected].li.scrollIntoView({ block: 'nearest' });
    }
  }
  list.addEventListener('focusin', (e) => {
    const i = rows.findIndex((r) => r.link === e.target);
    if (i >= 0) select(i, false);
  });

  ctx.onKey((e) => {
    if (e.key === 'j' || e.key === 'ArrowDown') return select(selected + 1), true;
    if (e.key === 'k' || e.key === 'ArrowUp') return select(selected - 1), true;
    if (e.key === 'Enter' && rows[selected]) return ctx.navigate(`#/sessions/${rows[selected].session.id}`), true;
    if (e.key === '/') return search.focus(), true;
    return false;
  });

  // Live: anything that changes a conversation reloads the list (debounced; keeps the selection).
  let liveTimer;
  ctx.onEvent((ev) => {
    if (!String(ev.type).startsWith('conversation.') && !String(ev.type).startsWith('message.')) return;
    clearTimeout(liveTimer);
    liveTimer = setTimeout(() => load(), 600);
  });
  ctx.onLeave(() => {
    token++;
    clearTimeout(liveTimer);
    clearTimeout(searchTimer);
  });

  await load();
  if (document.activeElement === document.body) rows[0]?.link.focus({ preventScroll: true });
}

/** Agents by id, to name assignees (refreshed each minute). @param {import('./api.js').Api} api */
export async function agentsById(api) {
  if (agentsCache && Date.now() - agentsCache.at < 60_000) return agentsCache.map;
  try {
    const out = await api.get('/agents?limit=100');
    agentsCache = { at: Date.now(), map: new Map(out.items.map((a) => [a.id, a])) };
  } catch (/** @type {any} */ err) {
    toast(`Could not load agents: ${err.message}`, 'error');
    agentsCache = { at: Date.now(), map: new Map() };
  }
  return agentsCache.map;
}
