// Admin › Canned responses: saved replies agents insert into the composer (list with search, create, edit, delete).
import { button, el, field, formCard, header, input, listAll, notice, table, textarea, timeAgo } from './admin-ui.js';

/** @param {HTMLElement} root @param {import('./app.js').ViewCtx} ctx */
export async function renderCanned(root, ctx) {
  const { api } = ctx;
  const body = el('div', { class: 'adm-stack' });
  const status = notice();
  const search = input({ type: 'search', placeholder: 'Search canned responses', 'aria-label': 'Search canned responses' });
  let items = [];

  const load = async () => {
    const q = search.value.trim();
    items = await listAll(api, q ? `/canned-responses?q=${encodeURIComponent(q)}` : '/canned-responses', 200);
    showList();
  };
  const showList = () => {
    const rows = items.map((c) => [
      el('code', { class: 'adm-mono' }, `/${c.shortcut}`),
      el('a', { href: '#', class: 'adm-link', onclick: (e) => { e.preventDefault(); showEditor(c); } }, c.title),
      el('span', { class: 'adm-preview' }, c.body.length > 120 ? `${c.body.slice(0, 120)}…` : c.body),
      timeAgo(c.updated_at),
      el('span', { class: 'adm-row-actions' },
        button('Edit', () => showEditor(c), { ariaLabel: `Edit ${c.title}` }),
        button('Delete', () => remove(c), { kind: 'danger', ariaLabel: `Delete ${c.title}` })),
    ]);
    body.replaceChildren(table('Canned responses', ['Shortcut', 'Title', 'Reply', 'Updated', ''], rows,
      search.value.trim() ? 'No canned responses match.' : 'No canned responses yet. Save the replies your team types again and again.'));
  };
  const remove = async (c) => {
    if (!window.confirm(`Delete the canned response “${c.title}”?`)) return;
    try {
      await api.del(`/canned-responses/${c.id}`);
      status.ok('Canned response deleted.');
      await load();
    } catch (err) {
      status.error(err);
    }
  };
  const showEditor = (canned) => {
    const shortcut = input({ value: canned?.shortcut ?? '', autocomplete: 'off', spellcheck: 'false', pattern: '[a-z0-9]+([-_][a-z0-9]+)*' });
    const title = input({ value: canned?.title ?? '' });
    const text = textarea(canned?.body ?? '', { rows: 8 });
    const form = formCard(canned ? 'Edit canned response' : 'New canned response', [
      field('Shortcut', shortcut, 'Lowercase letters, digits, - and _. Agents type /shortcut then Tab in the reply box.').row,
      field('Title', title, 'Shown in the composer’s list.').row,
      field('Reply', text, 'The text inserted into the reply box.').row,
    ], async () => {
      const payload = { shortcut: shortcut.value.trim().replace(/^\//, '').toLowerCase(), title: title.value.trim(), body: text.value };
      if (canned) await api.patch(`/canned-responses/${canned.id}`, payload);
      else await api.post('/canned-responses', payload);
      status.ok(canned ? 'Canned response saved.' : 'Canned response created.');
      await load();
    }, canned ? 'Save canned response' : 'Create canned response', [button('Cancel', showList)]);
    body.replaceChildren(form);
    (canned ? title : shortcut).focus();
  };

  search.addEventListener('input', debounce(() => load().catch((err) => status.error(err)), 250));
  root.replaceChildren(
    header('Canned responses', 'Saved replies agents insert into the composer, by picking them or typing /shortcut + Tab.',
      search, button('New canned response', () => showEditor(null), { kind: 'primary' })),
    status, body);
  await load();
}

function debounce(fn, ms) {
  let t;
  return () => { clearTimeout(t); t = setTimeout(fn, ms); };
}
