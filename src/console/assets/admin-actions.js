// Admin › Actions: HTTP requests agents run from a session and the AI calls as tools (list, create, edit, delete).
// Header values are secrets: typed here, stored encrypted, never shown again; an edit lists the stored names with a
// way to remove each, and sends only headers typed anew.
import { badge, button, el, field, formCard, header, input, listAll, notice, select, table, textarea, timeAgo } from './admin-ui.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const RUNNERS = [['agent', 'Agents'], ['admin', 'Admins'], ['ai', 'The AI']];
const EXAMPLE_SCHEMA = { type: 'object', properties: { order_id: { type: 'string', description: 'The order number' } }, required: ['order_id'] };

/** `Name: value` lines → { Name: value }. @param {string} text */
function parseHeaders(text) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const at = line.indexOf(':');
    if (at < 1) throw new Error(`Headers: “${line}” is not Name: value`);
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

/** @param {HTMLElement} root @param {import('./app.js').ViewCtx} ctx */
export async function renderActions(root, ctx) {
  const { api } = ctx;
  const body = el('div', { class: 'adm-stack' });
  const status = notice();

  const load = async () => {
    const items = await listAll(api, '/actions', 200);
    const rows = items.map((a) => [
      el('a', { href: '#', class: 'adm-link', onclick: (e) => { e.preventDefault(); showEditor(a); } }, a.name),
      el('span', {}, badge(a.method), ' ', el('code', {}, a.url_template)),
      a.run_by.map((r) => RUNNERS.find(([k]) => k === r)?.[1] ?? r).join(', ') || 'Nobody',
      timeAgo(a.updated_at),
      el('span', { class: 'adm-row-actions' },
        button('Edit', () => showEditor(a), { ariaLabel: `Edit ${a.name}` }),
        button('Delete', () => remove(a), { kind: 'danger', ariaLabel: `Delete ${a.name}` })),
    ]);
    body.replaceChildren(table('Actions', ['Name', 'Request', 'Run by', 'Updated', ''], rows,
      'No actions yet. Define the requests agents and the AI may make to your systems (look up an order, issue a refund…).'));
  };
  const remove = async (a) => {
    if (!window.confirm(`Delete the action ${a.name}?`)) return;
    try {
      await api.del(`/actions/${a.id}`);
      status.ok('Action deleted.');
      await load();
    } catch (err) {
      status.error(err);
    }
  };
  const showEditor = (action) => {
    const name = input({ value: action?.name ?? '', autocomplete: 'off', spellcheck: 'false', pattern: '[a-zA-Z0-9_-]{1,64}' });
    const description = textarea(action?.description ?? '', { rows: 2 });
    const method = select(METHODS, action?.method ?? 'GET');
    const url = input({ type: 'text', value: action?.url_template ?? '', placeholder: 'https://shop.example.com/api/orders/{order_id}' });
    const schema = textarea(JSON.stringify(action?.parameters ?? EXAMPLE_SCHEMA, null, 2), { rows: 8, class: 'adm-input adm-mono' });
    const headers = textarea('', { rows: 2, class: 'adm-input adm-mono', placeholder: 'Authorization: Bearer …', autocomplete: 'off' });
    const removals = (action?.headers_set ?? []).map((h) => el('input', { type: 'checkbox', value: h, 'aria-label': `Remove header ${h}` }));
    const stored = removals.length
      ? el('div', { class: 'adm-tags', role: 'group', 'aria-label': 'Stored headers' }, ...removals.map((box) =>
          el('label', { class: 'adm-switch-label' }, badge(box.value, 'ok'), box, 'remove')))
      : null;
    const runners = RUNNERS.map(([key, label]) => el('label', { class: 'adm-switch-label' },
      el('input', { type: 'checkbox', value: key, checked: (action?.run_by ?? ['agent', 'admin']).includes(key) }), label));
    const runBy = el('div', { class: 'adm-tags', role: 'group', 'aria-label': 'Who may run it' }, ...runners);
    const form = formCard(action ? `Edit ${action.name}` : 'New action', [
      field('Name', name, 'Letters, digits, _ and -: also the AI’s tool name.').row,
      field('Description', description, 'What it does. The AI reads it to decide when to call it.').row,
      field('Method', method).row,
      field('URL', url, 'Use {param} for parameters in the path or query; the other parameters go in the query (GET, DELETE) or the JSON body.').row,
      field('Parameters (JSON Schema)', schema, 'An object schema: agents get a form from it, the AI its tool parameters.').row,
      el('div', { class: 'adm-field' }, el('span', {}, 'Run by'), runBy),
      stored ? el('div', { class: 'adm-field' }, el('span', {}, 'Stored headers'), stored) : null,
      field(action ? 'Add or replace headers' : 'Headers', headers, 'One Name: value per line. Stored encrypted and never shown again.').row,
    ], async () => {
      let parameters;
      try {
        parameters = JSON.parse(schema.value);
      } catch {
        throw new Error('Parameters: not valid JSON');
      }
      /** @type {Record<string, string | null>} */
      const headerPatch = parseHeaders(headers.value);
      for (const box of removals) if (box.checked && !(box.value in headerPatch)) headerPatch[box.value] = null;
      const payload = {
        name: name.value.trim(),
        description: description.value.trim(),
        method: method.value,
        url_template: url.value.trim(),
        parameters,
        run_by: runners.map((l) => /** @type {HTMLInputElement} */ (l.querySelector('input'))).filter((c) => c.checked).map((c) => c.value),
        ...(Object.keys(headerPatch).length ? { headers: headerPatch } : {}),
      };
      if (action) await api.patch(`/actions/${action.id}`, payload);
      else await api.post('/actions', payload);
      status.ok(action ? 'Action saved.' : 'Action created.');
      await load();
    }, action ? 'Save action' : 'Create action', [button('Cancel', () => load().catch((e) => status.error(e)))]);
    body.replaceChildren(form);
    name.focus();
  };

  root.replaceChildren(
    header('Actions', 'Requests to your own systems that agents run from a conversation and the AI may call.',
      button('New action', () => showEditor(null), { kind: 'primary' })),
    status, body);
  await load();
}
