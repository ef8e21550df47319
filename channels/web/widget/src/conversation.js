import { h } from './dom.js';
import { t } from './i18n.js';
import { fill, place, timeEl } from './render.js';
import { UUID } from './util.js';

// The conversation on screen: stored messages by id, each shown once however often the server repeats it
// (reconnect replays, our own send after its ack), in seq order; the unread badge; the local greeting.
// docs/web-chat.md describes the message, ack and ready frames.

/** @typedef {import('./state.js').State} State */
/** @typedef {ReturnType<typeof createConversation>} Conversation */

/**
 * @param {{state: State, view: import('./view.js').View, store: import('./store.js').Store,
 *   typing: import('./typing.js').Typing, base: string, rate: (frame: object) => void}} deps
 */
export function createConversation({ state, view, store, typing, base, rate }) {
  const { messages, outbox, ui } = state;
  /** The rating row's click: the choice shows at once; a `rated` frame confirms it (onRated). @type {import('./render.js').Look['onRate']} */
  const onRate = (m, score, row) => {
    row.querySelectorAll('button').forEach((b, i) => b.setAttribute('aria-pressed', String(i + 1 === score)));
    rate({ type: 'rate', session_id: m.session_id, score });
  };
  /** @type {import('./render.js').Look} */
  const look = { theme: state.theme, base, onImageLoad: () => view.scrollDown(), onRate };

  function markRead() {
    ui.unread = 0;
    view.badge.hidden = true;
    for (const m of messages.values()) ui.readSeq = Math.max(ui.readSeq, m.msg.seq);
    store.set('read', String(ui.readSeq));
  }

  /** @param {any} m a WidgetMessage frame's message, as received */
  function onMessage(m) {
    if (!m || m.id == null) return;
    m.id = String(m.id);
    m.seq = Number(m.seq) || 0;
    m.sender = m.sender && typeof m.sender === 'object' ? m.sender : { type: 'system', name: null };
    const key = JSON.stringify([m.seq, m.event, m.text, m.sender, m.attachments, m.created_at]);
    const known = messages.get(m.id);
    if (known) {
      // a repeat (reconnect replay, or our own send after its ack): render once, refresh if it changed
      if (known.key !== key) {
        fill(known.el, m, look);
        Object.assign(known, { msg: m, key });
        place(view.log, known.el, m.seq);
      }
      return;
    }
    const ob = m.client_msg_id ? outbox.get(m.client_msg_id) : undefined;
    if (ob) {
      clearTimeout(ob.timer);
      outbox.delete(ob.cid);
    }
    const li = ob ? ob.el : h('li');
    fill(li, m, look);
    messages.set(m.id, { msg: m, el: li, key, at: Date.now() });
    place(view.log, li, m.seq);
    if (m.sender.type !== 'contact') {
      typing.endFor(m.sender);
      if (!ui.open && (m.event || 'message') === 'message' && m.seq > ui.readSeq) {
        ui.unread++;
        view.badge.textContent = ui.unread > 9 ? '9+' : String(ui.unread);
        view.badge.hidden = false;
      }
    }
    if (ui.greeting === 'shown' && !ob) removeGreeting();
    if (ui.open) markRead();
    view.scrollDown(!!ob);
  }

  /** The server stored one of our sends (an ack frame, or the answer to an upload).
   * @param {{client_msg_id: string, id: string, seq: number}} a */
  function onAck(a) {
    const ob = outbox.get(a.client_msg_id);
    if (!ob) return; // its message frame came first
    clearTimeout(ob.timer);
    outbox.delete(ob.cid);
    const id = String(a.id), seq = Number(a.seq) || 0, li = ob.el;
    const known = messages.get(id);
    if (known) {
      if (known.el !== li) li.remove();
      return;
    }
    li.removeAttribute('data-pending');
    li.setAttribute('data-message-id', id);
    li.setAttribute('data-seq', String(seq));
    const time = timeEl();
    if (time) li.querySelector('.meta')?.replaceWith(time);
    // the server's own message frame will re-render it (key '' never matches)
    messages.set(id, { msg: { id, seq, client_msg_id: ob.cid, sender: { type: 'contact', name: null }, text: ob.text || null }, el: li, key: '', at: Date.now() });
    place(view.log, li, seq);
  }

  /** A local, AI-looking first bubble when there is no history (no data-message-id: it is not stored). */
  function maybeGreet() {
    const { theme } = state;
    if (ui.greeting !== 'none' || messages.size || !theme.greeting) return;
    ui.greeting = 'shown';
    ui.greetingEl = h('li', { 'data-greeting': 'true' }, [h('div', { class: 'name' }, [theme.ai_name || t.assistant]), h('div', { class: 'bubble' }, [theme.greeting])]);
    view.log.prepend(ui.greetingEl);
  }
  function removeGreeting() {
    ui.greeting = 'gone';
    if (ui.greetingEl) ui.greetingEl.remove();
  }

  /** A different visitor (e.g. the token expired and we fell back to anonymous): forget the old conversation.
   * @param {string} cid the contact id the server named */
  function switchContact(cid) {
    const { visitor } = state;
    if (visitor.contactId && visitor.contactId !== cid) {
      for (const m of messages.values()) m.el.remove();
      messages.clear();
      ui.readSeq = 0;
      store.set('read', '0');
    }
    visitor.contactId = cid;
  }

  /** The list ids a resume need not send again: shown in the last minute, the newest 200 (docs/web-chat.md, hello). */
  function resumePoint() {
    let after = 0;
    for (const m of messages.values()) after = Math.max(after, m.msg.seq);
    const seen = Array.from(messages.values())
      .filter((m) => m.at > Date.now() - 60000 && UUID.test(m.msg.id))
      .sort((a, b) => b.msg.seq - a.msg.seq)
      .slice(0, 200)
      .map((m) => m.msg.id);
    return { after_seq: after, seen_ids: seen };
  }

  /** The server took a rating: a thank-you under the session's rating rows (they stay, to change it). @param {any} f */
  function onRated(f) {
    for (const { msg, el } of messages.values()) {
      if (!msg.rating || msg.session_id !== f.session_id) continue;
      const note = el.querySelector('.rated') || el.appendChild(h('p', { class: 'rated', role: 'status' }));
      note.textContent = t.rated(Number(f.score));
    }
    view.scrollDown();
  }

  return { onMessage, onAck, markRead, maybeGreet, switchContact, resumePoint, onRated };
}
