// Admin › Knowledge: the articles the AI answers from (list with search, create, edit, delete).
import { badge, button, el, field, formCard, header, input, listAll, notice, table, textarea, timeAgo } from './admin-ui.js';

/** @param {HTMLElement} root @param {import('./app.js').ViewCtx} ctx */
export async function renderKnowledge(root, ctx) {
  const { api } = ctx;
  const body = el('div', { class: 'adm-stack' });
  const status = notice();
  const search = input({ type: 'search', placeholder: 'Search articles', 'aria-label': 'Search articles' });
  let items = [];

  const load = async () => {
    const q = search.value.trim();
    items = await listAll(api, q ? `/knowledge?q=${encodeURIComponent(q)}` : '/knowledge');
    showList();
  };
  const showList = () => {
    const rows = items.map((a) => [
      el('a', { href: '#', class: 'adm-link', onclick: (e) => { e.preventDefault(); showEditor(a); } }, a.title),
      el('span', { class: 'adm-tags' }, ...a.tags.map((t) => badge(t, 'info'))),
      el('span', { class: 'adm-preview' }, a.body.length > 120 ? `${a.body.slice(0, 120)}…` : a.body),
      timeAgo(a.updated_at),
      el('span', { class: 'adm-row-actions' },
        button('Edit', () => showEditor(a), { ariaLabel: `Edit ${a.title}` }),
        button('Delete', () => remove(a), { kind: 'danger', ariaLabel: `Delete ${a.title}` })),
    ]);
    body.replaceChildren(table('Knowledge articles', ['Title', 'Tags', 'Content', 'Updated', ''], rows,
      'No articles yet. The AI answers from these: add your FAQ, policies and how-tos.'));
  };
  const remove = async (a) => {
    if (!window.confirm(`Delete the article “${a.title}”?`)) return;
    try {
      await api.del(`/knowledge/${a.id}`);
      status.ok('Article deleted.');
      await load();
    } catch (err) {
      status.error(err);
    }
  };
  const showEditor = (article) => {
    const title = input({ value: article?.title ?? '' });
    const text = textarea(article?.body ?? '', { rows: 12 });
    const tags = input({ value: (article?.tags ?? []).join(', ') });
    const form = formCard(article ? 'Edit article' : 'New article', [
      field('Title', title).row,
      field('Body', text, 'Plain text or Markdown. The AI quotes from it.').row,
      field('Tags', tags, 'Comma-separated, e.g. billing, shipping').row,
    ], async () => {
      const payload = { title: title.value.trim(), body: text.value, tags: tags.value.split(',').map((t) => t.trim()).filter(Boolean) };
      if (article) await api.patch(`/knowledge/${article.id}`, payload);
      else await api.post('/knowledge', payload);
      status.ok(article ? 'Article saved.' : 'Article created.');
      await load();
    }, article ? 'Save article' : 'Create article', [button('Cancel', showList)]);
    body.replaceChildren(form);
    title.focus();
  };

  search.addEventListener('input', debounce(() => load().catch((err) => status.error(err)), 250));
  root.replaceChildren(
    header('Knowledge', 'Articles the AI assistant answers from before handing off to a human.',
      search, button('New article', () => showEditor(null), { kind: 'primary' })),
    status, body);
  await load();
}

function debounce(fn, ms) {
  let t;
  return () => { clearTimeout(t); t = setTimeout(fn, ms); };
}
