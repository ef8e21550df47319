import { h } from './dom.js';
import { t } from './i18n.js';
import { uuid } from './util.js';

// Our sends until the server stores them: a pending bubble at once, the send frame whenever the socket is ready
// (again after every reconnect: the client_msg_id makes repeats harmless, docs/web-chat.md), automatic retries
// after a nack that says so, and a Retry button when it gives up.

/** @typedef {import('./state.js').Out} Out */
/** @typedef {ReturnType<typeof createOutbox>} Outbox */

/**
 * @param {{state: import('./state.js').State, view: import('./view.js').View,
 *   send: (frame: object) => boolean, ensureConnecting: () => void, connectNow: () => void, reupload: (ob: Out) => void}} deps
 *   send: a frame, if the socket is ready; ensureConnecting: connect unless a socket or a retry wait exists;
 *   connectNow: connect unless a socket exists, cutting a retry wait short
 */
export function createOutbox({ state, view, send, ensureConnecting, connectNow, reupload }) {
  const { outbox, ui } = state;

  /** A contact bubble for a send that the server has not stored yet. @param {string} cid @param {string} text @param {string} meta */
  function pendingLi(cid, text, meta) {
    const li = h('li', { 'data-sender': 'contact', 'data-pending': 'true', 'data-client-msg-id': cid },
      [h('div', { class: 'bubble' }, [h('div', { class: 'text' }, [text])]), h('span', { class: 'meta' }, [meta])]);
    view.log.append(li);
    if (ui.greeting === 'shown') ui.greeting = 'pinned';
    view.scrollDown(true);
    return li;
  }

  /** @param {Out} ob */
  function transmit(ob) {
    if (ob.file || ob.failed) return;
    send({ type: 'send', client_msg_id: ob.cid, text: ob.text });
  }

  /** Every text send not yet acknowledged: the socket is (again) ready. */
  function resendAll() {
    for (const ob of outbox.values()) transmit(ob);
  }

  /** @param {string} text trimmed, within the length limit */
  function sendText(text) {
    const cid = uuid();
    /** @type {Out} */
    const ob = { cid, text, el: pendingLi(cid, text, t.sending) };
    outbox.set(cid, ob);
    transmit(ob);
    ensureConnecting();
  }

  /** @param {Out} ob @param {string} message @param {boolean} canRetry */
  function fail(ob, message, canRetry) {
    ob.failed = true;
    clearTimeout(ob.timer);
    const li = ob.el;
    li.removeAttribute('data-pending');
    li.setAttribute('data-failed', 'true');
    li.querySelector('.meta')?.remove();
    li.querySelector('.err')?.remove();
    const txt = li.querySelector('.text');
    if (ob.file && txt) txt.textContent = ob.file.name;
    const err = h('div', { class: 'err' }, [h('span', {}, [message || t.notSent])]);
    if (canRetry) {
      const b = h('button', { type: 'button', class: 'retry' }, [t.retry]);
      b.addEventListener('click', () => {
        ob.failed = false;
        ob.tries = 0;
        li.removeAttribute('data-failed');
        li.setAttribute('data-pending', 'true');
        err.replaceWith(h('span', { class: 'meta' }, [ob.file ? t.uploading : t.sending]));
        view.log.append(li);
        if (ob.file) reupload(ob);
        else {
          transmit(ob);
          connectNow();
        }
      });
      err.append(b);
    }
    li.append(err);
    view.scrollDown();
  }

  /** @param {{client_msg_id: string, code: string, message: string, retry_after_ms?: number}} n */
  function onNack(n) {
    const ob = outbox.get(n.client_msg_id);
    if (!ob || ob.failed) return;
    // rate_limited: wait as told; unavailable (the server could not store it): a few automatic tries first
    const auto = n.code === 'rate_limited' || (n.code === 'unavailable' && (ob.tries = (ob.tries || 0) + 1) <= 3);
    if (!auto) return fail(ob, n.message, true);
    clearTimeout(ob.timer);
    ob.timer = setTimeout(() => transmit(ob), Math.max(250, Number(n.retry_after_ms) || 1000 * 2 ** (ob.tries || 1)));
    const meta = ob.el.querySelector('.meta');
    if (meta) meta.textContent = t.waitingToSend;
  }

  return { pendingLi, transmit, resendAll, sendText, fail, onNack };
}
