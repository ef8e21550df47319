import { t } from './i18n.js';
import { senderName } from './render.js';

// "Grace is typing…" under the log: typing frames (docs/web-chat.md) set it for 8 s at most; a message from the
// same sender, or a lost socket, ends it.

/** @typedef {import('./state.js').Sender} Sender */
/** @typedef {ReturnType<typeof createTyping>} Typing */

/** @param {import('./state.js').State} state @param {import('./view.js').View} view */
export function createTyping(state, view) {
  const typers = state.typers;
  function render() {
    const n = Array.from(typers.values(), (x) => x.name);
    view.typingText.textContent = n.length ? t.typing(n) : '';
    view.typing.classList.toggle('on', n.length > 0);
    if (n.length) view.scrollDown();
  }
  /** @param {Sender} s @param {boolean} active */
  function set(s, active) {
    if (!s || typeof s !== 'object') return;
    const k = s.type + ':' + (s.name || '');
    clearTimeout(typers.get(k)?.timer);
    typers.delete(k);
    if (active) typers.set(k, { name: senderName(s, state.theme), timer: setTimeout(() => { typers.delete(k); render(); }, 8000) });
    render();
  }
  /** A message from a sender ends its typing (matched by type when either side has no name); a system message (say, a
   * hand-over to the agents' queue) ends the AI's. @param {Sender} s */
  function endFor(s) {
    for (const [k, x] of typers) {
      const type = k.slice(0, k.indexOf(':')), name = k.slice(k.indexOf(':') + 1);
      if ((type === s.type && (!name || !s.name || name === s.name)) || (s.type === 'system' && type === 'ai')) {
        clearTimeout(x.timer);
        typers.delete(k);
      }
    }
    render();
  }
  /** The socket is gone: nobody is typing any more. */
  function reset() {
    typers.forEach((x) => clearTimeout(x.timer));
    typers.clear();
    render();
  }
  return { set, endFor, reset };
}
