// Admin › Channels: the list, a create form derived from the kind's config schema, and a channel page with the
// webhook URLs to paste into the provider's console, a live test and the enable switch.
import { badge, button, copyBox, el, field, formCard, header, input, listAll, notice, table } from './admin-ui.js';
import { schemaForm } from './admin-schema-form.js';

/** @type {any[] | null} GET /console/api/channel-kinds, once per page */
let kindsCache = null;
/** @param {import('./api.js').Api} api @returns {Promise<any[]>} */
async function kinds(api) {
  return (kindsCache ??= await api.get('/console/api/channel-kinds'));
}
const kindKey = (k) => `${k.type}:${k.provider}`;
const kindLabel = (k) => k.label || `${k.type} (${k.provider})`;

/** @param {HTMLElement} root @param {import('./app.js').ViewCtx} ctx */
export async function renderChannels(root, ctx) {
  const { api } = ctx;
  const [list, all] = await Promise.all([listAll(api, '/channels'), kinds(api)]);
  const byKey = new Map(all.map((k) => [kindKey(k), k]));
  const body = el('div', { class: 'adm-stack' });
  const showList = () => {
    const rows = list.map((c) => [
      el('a', { href: '#', class: 'adm-link', onclick: (e) => { e.preventDefault(); openChannel(c.id); } }, c.name),
      badge(c.type, 'info'),
      c.provider,
      c.enabled ? badge('Enabled', 'ok') : badge('Disabled', 'muted'),
      String(Object.keys(c.webhook_urls ?? {}).length),
      button('Open', () => openChannel(c.id), { ariaLabel: `Open channel ${c.name}` }),
    ]);
    body.replaceChildren(table('Channels', ['Name', 'Type', 'Provider', 'Status', 'Webhooks', ''], rows,
      'No channels yet. Create one to start receiving messages.'));
  };
  const openChannel = async (id) => {
    const channel = await api.get(`/channels/${id}`);
    body.replaceChildren(channelPage(ctx, channel, byKey.get(kindKey(channel)), {
      back: async () => { list.splice(0, list.length, ...(await listAll(api, '/channels'))); showList(); },
    }));
  };
  const showCreate = () => body.replaceChildren(createForm(ctx, all, async (created) => {
    list.push(created);
    body.replaceChildren(channelPage(ctx, created, byKey.get(kindKey(created)), { back: showList, fresh: true }));
  }, showList));
  root.replaceChildren(
    header('Channels', 'Where conversations come from: web chat, SMS, WhatsApp, phone, Slack, email and the API.',
      button('New channel', showCreate, { kind: 'primary' })),
    body);
  showList();
}

function createForm(ctx, all, onCreated, onCancel) {
  const kindSelect = el('select', { class: 'adm-input' }, ...all.map((k) => el('option', { value: kindKey(k) }, kindLabel(k))));
  const name = input({ autocomplete: 'off' });
  const cfgHost = el('div');
  /** @type {ReturnType<typeof schemaForm>} set by renderSchema() right below */
  let form;
  const renderSchema = () => {
    const k = all.find((x) => kindKey(x) === kindSelect.value);
    form = schemaForm(k?.json_schema ?? {}, { secretFields: k?.secret_fields ?? [] });
    cfgHost.replaceChildren(el('h3', {}, 'Configuration'), form.node);
  };
  kindSelect.addEventListener('change', renderSchema);
  renderSchema();
  return formCard('New channel', [field('Channel type', kindSelect).row, field('Name', name).row, cfgHost], async (status) => {
    const [type, provider] = kindSelect.value.split(':');
    if (name.value.trim() === '') throw new Error('Give the channel a name.');
    const created = await ctx.api.post('/channels', { type, provider, name: name.value.trim(), config: form.collect() });
    status.ok('Channel created.');
    await onCreated(created);
  }, 'Create', [button('Cancel', onCancel)]);
}

function channelPage(ctx, channel, kind, { back, fresh = false }) {
  const { api } = ctx;
  const page = el('div', { class: 'adm-stack' });
  const draw = (c) => {
    const testResult = notice();
    const toggleStatus = notice();
    const toggle = el('input', { type: 'checkbox', role: 'switch', class: 'adm-switch', checked: c.enabled, 'aria-label': 'Enabled' });
    toggle.addEventListener('change', async () => {
      try {
        const updated = await api.patch(`/channels/${c.id}`, { enabled: toggle.checked });
        toggleStatus.ok(updated.enabled ? 'Channel enabled.' : 'Channel disabled.');
        Object.assign(c, updated);
      } catch (err) {
        toggle.checked = !toggle.checked;
        toggleStatus.error(err);
      }
    });
    // CSAT per channel: asked when a session is resolved, where the channel can ask (c.csat names how).
    const csatToggle = el('input', { type: 'checkbox', role: 'switch', class: 'adm-switch', checked: c.csat_enabled, disabled: c.csat == null, 'aria-label': 'Ask for a rating' });
    csatToggle.addEventListener('change', async () => {
      try {
        const updated = await api.patch(`/channels/${c.id}`, { csat_enabled: csatToggle.checked });
        toggleStatus.ok(updated.csat_enabled ? 'Customers are asked for a rating when a conversation is resolved.' : 'No more rating requests.');
        Object.assign(c, updated);
      } catch (err) {
        csatToggle.checked = !csatToggle.checked;
        toggleStatus.error(err);
      }
    });
    const csatHow = { digits: 'a 1–5 reply', buttons: 'five buttons (or a 1–5 reply)', links: 'five links in the mail', 'rating-row': 'a rating row in the chat' }[c.csat] ?? 'not possible on this channel';
    const sendTest = async () => {
      testResult.clear();
      testResult.textContent = 'Testing…';
      try {
        const r = await api.post(`/channels/${c.id}/test`, {});
        r.ok ? testResult.ok(`OK — ${r.detail}`) : testResult.error(new Error(`Failed — ${r.detail}`));
      } catch (err) {
        testResult.error(err);
      }
    };
    const urls = Object.entries(c.webhook_urls ?? {});
    const name = input({ value: c.name });
    const cfg = schemaForm(kind?.json_schema ?? {}, { values: c.config, secretFields: kind?.secret_fields ?? [], secretsSet: c.secrets_set ?? [], editing: true });
    const edit = formCard('Settings', [field('Name', name).row, cfg.node], async (status) => {
      const patch = { config: cfg.collect() };
      if (name.value.trim() !== c.name) patch.name = name.value.trim();
      const updated = await api.patch(`/channels/${c.id}`, patch);
      draw(updated);
      /** @type {import('./admin-ui.js').Notice | null} */ (page.querySelector('.adm-form .adm-notice'))?.ok?.('Saved.');
    }, 'Save changes');
    const remove = async () => {
      if (!window.confirm(`Delete channel “${c.name}”? Its conversations stay, but it stops receiving messages.`)) return;
      await api.del(`/channels/${c.id}`);
      await back();
    };
    page.replaceChildren(
      el('div', { class: 'adm-crumbs' }, button('← All channels', back, { kind: 'link' })),
      el('div', { class: 'adm-card adm-channel-head' },
        el('div', {}, el('h2', {}, c.name), el('p', { class: 'adm-help' }, badge(c.type, 'info'), ' ', c.provider, ' · public id ', el('code', {}, c.public_id))),
        el('div', { class: 'adm-actions' },
          el('label', { class: 'adm-switch-label' }, toggle, el('span', {}, 'Enabled')),
          el('label', { class: 'adm-switch-label', title: `Asked as ${csatHow}` }, csatToggle, el('span', {}, 'CSAT')),
          button('Send test', sendTest, { kind: 'primary' }),
          button('Delete channel', remove, { kind: 'danger' }))),
      toggleStatus, testResult,
      el('section', { class: 'adm-card', 'aria-label': 'Webhook URLs' },
        el('h2', {}, 'Webhook URLs'),
        urls.length === 0
          ? el('p', { class: 'adm-help' }, 'This channel needs no provider webhook.')
          : el('p', { class: 'adm-help' }, fresh ? 'Channel created. Paste these into the provider’s console:' : 'Paste these into the provider’s console:'),
        ...urls.map(([key, url]) => copyBox(`${key[0].toUpperCase()}${key.slice(1)} webhook URL`, url))),
      edit);
  };
  draw(channel);
  return page;
}
