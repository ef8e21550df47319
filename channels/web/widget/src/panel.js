import { t } from './i18n.js';

// Opening and closing the chat panel: the launcher, the minimize button, Escape, and window.Switchboard
// ({ open, close, toggle }) for the page (docs/web-chat.md). Opening reads the conversation and connects.

/**
 * @param {{state: import('./state.js').State, view: import('./view.js').View, onOpen: () => void}} deps
 *   onOpen: after the panel shows (mark read, greet, connect)
 */
export function createPanel({ state, view, onOpen }) {
  const { ui } = state;
  const { panel, launcher, textarea } = view;

  function open() {
    if (ui.open) return;
    ui.open = true;
    clearTimeout(ui.closeTimer);
    panel.hidden = false;
    void panel.offsetWidth; // start the transition from the closed state
    panel.classList.add('open');
    launcher.setAttribute('aria-expanded', 'true');
    launcher.setAttribute('aria-label', t.closeChat);
    onOpen();
    view.scrollDown(true);
    if (!textarea.disabled) textarea.focus();
  }

  /** @param {boolean} [refocus] give the focus back to the launcher */
  function close(refocus) {
    if (!ui.open) return;
    ui.open = false;
    panel.classList.remove('open');
    launcher.setAttribute('aria-expanded', 'false');
    launcher.setAttribute('aria-label', t.openChat);
    const still = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    ui.closeTimer = setTimeout(() => { if (!ui.open) panel.hidden = true; }, still ? 0 : 200);
    if (refocus) launcher.focus();
  }

  const toggle = () => (ui.open ? close(true) : open());
  launcher.addEventListener('click', toggle);
  view.minBtn.addEventListener('click', () => close(true));
  view.root.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && ui.open) {
      e.preventDefault();
      e.stopPropagation();
      close(true);
    }
  });
  /** @type {any} */ (window).Switchboard = { open, close: () => close(false), toggle };
}
