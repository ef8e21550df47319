import { h, toast } from './dom.js';

// The composer: "Reply" (sent to the customer on their channel) and "Private note" (kept in history, never sent).
// Ctrl/⌘+Enter sends. Files are read in the browser and sent inline as base64.

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
  const form = h(
    'form',
    { class: 'composer', 'aria-label': 'Composer' },
    h('div', { role: 'tablist', 'aria-label': 'Message type', class: 'composer-tabs' }, tabs),
    h(
      'div',
      { id: 'composer-panel', role: 'tabpanel', class: 'composer-panel', 'aria-labelledby': 'tab-reply' },
      textarea,
      fileList,
      h(
        'div',
        { class: 'composer-actions' },
        h('label', { for: 'composer-file', class: 'btn btn-ghost btn-sm attach' }, '+ Attach file'),
        fileInput,
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
  form.querySelector('[role=tablist]').addEventListener('keydown', (e) => {
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      setMode(mode === 'reply' ? 'note' : 'reply');
      tabs[mode === 'reply' ? 0 : 1].focus();
      e.preventDefault();
    }
  });

  fileInput.addEventListener('change', async () => {
    for (const f of fileInput.files) {
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
    } catch (err) {
      toast(`Could not send: ${err.message}`, 'error');
    } finally {
      send.disabled = false;
      textarea.focus();
    }
  });

  setMode('reply');
  return { el: form, focus: () => textarea.focus(), setDisabled: (off, why) => ((textarea.disabled = off), (send.disabled = off), (hint.textContent = off ? why : 'Ctrl+Enter to send')) };
}

function toBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}
