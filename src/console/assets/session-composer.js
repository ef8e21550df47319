import { h, toast } from './dom.js';

// The composer: "Reply" (sent to the customer on their channel) and "Private note" (kept in history, never sent).
// Ctrl/⌘+Enter sends. Files are read in the browser and sent inline as base64. Canned responses (saved replies) go in
// at the cursor: from a searchable list, or by typing `/shortcut` then Tab.

const MODES = {
  reply: { tab: 'Reply', label: 'Reply', button: 'Send reply', placeholder: 'Write a reply to the customer…' },
  note: { tab: 'Private note', label: 'Private note', button: 'Add note', placeholder: 'Only your team sees notes…' },
};

export function buildComposer({ api, sessionId, getSession, onSent }) {
  let mode = 'reply';
  let files = [];
  let typingAt = 0;

  const tabs = Object.entries(MODES).map(([key, m]) =>
    h('button', { type: 'button', role: 'tab', id: `tab-${key}`, 'aria-controls': 'composer-panel', class: 'composer-tab', onclick: () => setMode(key) }, m.tab),
  );
  const textarea = h('textarea', { id: 'composer-text', rows: 3, 'aria-label': 'Reply', placeholder: MODES.reply.placeholder });
  const fileInput = h('input', { type: 'file', multiple: true, class: 'visually-hidden', id: 'composer-file', 'aria-label': 'Attach files' });
  const fileList = h('ul', { class: 'composer-files', 'aria-label': 'Files to send' });
  const send = h('button', { type: 'submit', class: 'btn btn-primary' }, MODES.reply.button);
  const hint = h('span', { class: 'muted small' }, 'Ctrl+Enter to send');
  const canned = cannedPicker({ api, textarea });
  const form = h(
    'form',
    { class: 'composer', 'aria-label': 'Composer' },
    h('div', { role: 'tablist', 'aria-label': 'Message type', class: 'composer-tabs' }, tabs),
    h(
      'div',
      { id: 'composer-panel', role: 'tabpanel', class: 'composer-panel', 'aria-labelledby': 'tab-reply' },
      canned.panel,
      textarea,
      fileList,
      h(
        'div',
        { class: 'composer-actions' },
        h('label', { for: 'composer-file', class: 'btn btn-ghost btn-sm attach' }, '+ Attach file'),
        fileInput,
        canned.button,
        hint,
        send,
      ),
    ),
  );

  function setMode(next) {
    mode = next;
    tabs.forEach((t, i) => {
      const on = Object.keys(MODES)[i] === mode;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
    });
    form.classList.toggle('composer-note', mode === 'note');
    textarea.setAttribute('aria-label', MODES[mode].label);
    textarea.placeholder = MODES[mode].placeholder;
    send.textContent = MODES[mode].button;
    form.querySelector('[role=tabpanel]')?.setAttribute('aria-labelledby', `tab-${mode}`);
    if (form.isConnected) textarea.focus();
  }
  // Arrow keys move between tabs (the ARIA tabs pattern).
  /** @type {HTMLElement} */ (form.querySelector('[role=tablist]')).addEventListener('keydown', (/** @type {KeyboardEvent} */ e) => {
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      setMode(mode === 'reply' ? 'note' : 'reply');
      tabs[mode === 'reply' ? 0 : 1].focus();
      e.preventDefault();
    }
  });

  fileInput.addEventListener('change', async () => {
    for (const f of fileInput.files ?? []) {
      if (f.size > 10_000_000) {
        toast(`${f.name} is larger than 10 MB`, 'error');
        continue;
      }
      files.push({ name: f.name, mime_type: f.type || 'application/octet-stream', base64: await toBase64(f) });
    }
    fileInput.value = '';
    drawFiles();
  });
  function drawFiles() {
    fileList.replaceChildren(
      ...files.map((f, i) =>
        h('li', {}, `${f.name} `, h('button', { type: 'button', class: 'btn btn-ghost btn-sm', 'aria-label': `Remove ${f.name}`, onclick: () => (files.splice(i, 1), drawFiles()) }, '×')),
      ),
    );
  }

  textarea.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      form.requestSubmit();
    } else if (e.key === 'Tab' && !e.shiftKey && !e.ctrlKey && !e.metaKey && !e.altKey) {
      canned.expandShortcut(e);
    }
  });
  // Tell the customer's channel an agent is typing (at most every 4 s; replies only).
  textarea.addEventListener('input', () => {
    if (mode !== 'reply' || Date.now() - typingAt < 4000 || !textarea.value.trim()) return;
    typingAt = Date.now();
    api.post(`/chat/sessions/${sessionId}/typing`, { active: true }).catch(() => {});
  });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = textarea.value;
    if (!text.trim() && !files.length) return textarea.focus();
    const session = getSession();
    send.disabled = true;
    try {
      await api.post(`/chat/sessions/${sessionId}/send`, {
        sender: 'agent',
        message: { type: 'text', text, attachments: files },
        private: mode === 'note',
        // Replying to a conversation the AI still holds takes it over (the AI stops answering).
        should_take_over_session_from_ai: mode === 'reply' && !session.handed_off,
      });
      textarea.value = '';
      files = [];
      drawFiles();
      toast(mode === 'note' ? 'Note added' : 'Reply sent', 'ok');
      await onSent();
    } catch (/** @type {any} */ err) {
      toast(`Could not send: ${err.message}`, 'error');
    } finally {
      send.disabled = false;
      textarea.focus();
    }
  });

  setMode('reply');
  return {
    el: form,
    focus: () => textarea.focus(),
    setDisabled: (off, why) => ((textarea.disabled = off), (send.disabled = off), canned.setDisabled(off), (hint.textContent = off ? why : 'Ctrl+Enter to send')),
  };
}

function toBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/**
 * The canned-response picker: a toggle button and a panel with a search box over a listbox (options named by title).
 * The list is loaded once per composer (up to 200, A→Z); beyond that, searches and shortcuts ask the server.
 */
function cannedPicker({ api, textarea }) {
  /** @type {any[] | null} the canned responses, once loaded */
  let all = null;
  let complete = true;
  /** @type {Promise<any[]> | null} */
  let loading = null;
  /** @type {any[]} */
  let shown = [];
  let active = 0;
  let range = [0, 0];

  const load = () =>
    (loading ??= api.get('/canned-responses?limit=200').then(
      (page) => ((all = page.items), (complete = !page.next), all),
      (err) => ((loading = null), Promise.reject(err)),
    ));
  load().catch(() => {});

  const button = h('button', { type: 'button', class: 'btn btn-ghost btn-sm', 'aria-haspopup': 'listbox', 'aria-expanded': 'false', 'aria-controls': 'canned-panel', onclick: () => (panel.hidden ? open() : close(true)) }, 'Insert canned response');
  const search = h('input', { type: 'search', role: 'combobox', 'aria-label': 'Search canned responses', 'aria-controls': 'canned-list', 'aria-expanded': 'true', 'aria-autocomplete': 'list', placeholder: 'Search replies…', autocomplete: 'off' });
  const list = h('ul', { id: 'canned-list', role: 'listbox', 'aria-label': 'Canned responses', class: 'nav-list' });
  const empty = h('p', { class: 'muted small', role: 'status' });
  const panel = h('div', { id: 'canned-panel', class: 'side-card', hidden: true }, search, list, empty);

  async function open() {
    // The textarea loses focus to the search box: remember where its cursor was.
    range = [textarea.selectionStart ?? textarea.value.length, textarea.selectionEnd ?? textarea.value.length];
    panel.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    search.value = '';
    search.focus();
    await filter();
  }
  function close(refocus) {
    panel.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    if (refocus) textarea.focus();
  }
  const matches = (c, q) => [c.shortcut, c.title, c.body].some((s) => s.toLowerCase().includes(q));
  async function filter() {
    const q = search.value.trim().toLowerCase();
    empty.textContent = all ? '' : 'Loading…';
    try {
      const items = await load();
      shown = complete || !q ? items.filter((c) => !q || matches(c, q)) : (await api.get(`/canned-responses${api.qs({ q, limit: 200 })}`)).items;
    } catch (/** @type {any} */ err) {
      shown = [];
      empty.textContent = `Could not load canned responses: ${err.message}`;
      return draw();
    }
    if (q !== search.value.trim().toLowerCase()) return; // a newer search is on its way
    active = 0;
    empty.textContent = shown.length ? '' : all?.length ? 'No canned responses match.' : 'No canned responses yet: an admin can add them under Admin › Canned responses.';
    draw();
  }
  function draw() {
    list.replaceChildren(
      ...shown.map((c, i) =>
        h('li', { role: 'option', id: `canned-opt-${i}`, 'aria-label': c.title, 'aria-selected': String(i === active), title: `/${c.shortcut}`, class: `btn btn-sm btn-block ${i === active ? 'btn-primary' : 'btn-ghost'}`, onmousedown: (e) => e.preventDefault(), onclick: () => choose(c) },
          h('strong', {}, c.title), h('span', { class: i === active ? 'small' : 'muted small' }, `/${c.shortcut}`)),
      ),
    );
    if (shown.length) search.setAttribute('aria-activedescendant', `canned-opt-${active}`);
    else search.removeAttribute('aria-activedescendant');
    list.children[active]?.scrollIntoView?.({ block: 'nearest' });
  }
  function choose(c) {
    close(false);
    insertAt(textarea, c.body, range[0], range[1]);
  }

  let timer;
  search.addEventListener('input', () => (clearTimeout(timer), (timer = setTimeout(filter, complete ? 0 : 200))));
  search.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (shown.length) active = (active + (e.key === 'ArrowDown' ? 1 : shown.length - 1)) % shown.length;
      draw();
    } else if (e.key === 'Enter') {
      if (shown[active]) choose(shown[active]);
    } else if (e.key === 'Escape') {
      close(true);
      e.stopPropagation();
    } else return;
    e.preventDefault();
  });
  panel.addEventListener('focusout', (e) => {
    if (!panel.hidden && !panel.contains(/** @type {Node | null} */ (e.relatedTarget)) && e.relatedTarget !== button) close(false);
  });

  /** Tab right after `/shortcut` swaps it for that reply; an unknown shortcut leaves Tab alone (it moves focus). */
  function expandShortcut(e) {
    const start = textarea.selectionStart;
    if (start !== textarea.selectionEnd) return;
    const typed = /(?:^|\s)\/([a-z0-9_-]{1,50})$/i.exec(textarea.value.slice(0, start));
    if (!typed) return;
    const shortcut = typed[1].toLowerCase();
    const found = all?.find((c) => c.shortcut === shortcut);
    if (all && complete && !found) return;
    e.preventDefault();
    const from = start - typed[1].length - 1;
    if (found) return insertAt(textarea, found.body, from, start);
    // Not loaded yet, or more than one page: ask, then expand if the text is still as it was.
    load()
      .then(async (items) => items.find((c) => c.shortcut === shortcut) ?? (await api.get(`/canned-responses${api.qs({ q: shortcut, limit: 200 })}`)).items.find((c) => c.shortcut === shortcut))
      .then((c) => {
        if (!c) return toast(`No canned response /${shortcut}`, 'error');
        if (textarea.value.slice(from, start) === `/${typed[1]}`) insertAt(textarea, c.body, from, start);
      })
      .catch((err) => toast(`Could not load canned responses: ${err.message}`, 'error'));
  }

  return { button, panel, expandShortcut, setDisabled: (off) => ((button.disabled = off), off && close(false)) };
}

/** Replaces [from, to) of the textarea with `text`, leaves the cursor after it and lets listeners (typing) know. */
function insertAt(textarea, text, from, to) {
  textarea.focus();
  textarea.setRangeText(text, from, to, 'end');
  textarea.dispatchEvent(new Event('input', { bubbles: true }));
}
