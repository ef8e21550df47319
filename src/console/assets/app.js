import { api, logout, me as fetchMe, onUnauthorized, stream } from './api.js';
import { h, mount, toast } from './dom.js';
import { renderLogin } from './login.js';
import { buildNav, updateCounts } from './nav.js';

// The shell: who is signed in, the left nav, the hash router, one live event stream shared by the views,
// and keyboard shortcuts. Views are modules exporting render(root, ctx); admin and dashboard load on demand.

/** The signed-in agent as GET /console/api/me answers (`teamIds`: cached there by nav.js).
 * @typedef {{agent: {id: string, name: string, email: string, role: string}, org_id: string, csrf_token?: string, teamIds?: string[]}} Me */
/**
 * What every view's render(root, ctx) gets; the inbox adds `view`, a session `sessionId`.
 * @typedef {object} ViewCtx
 * @property {import('./api.js').Api} api
 * @property {Me} me
 * @property {(hash: string) => void} navigate
 * @property {(fn: (event: import('./api.js').LiveEvent) => void) => void} onEvent live events until the route changes
 * @property {(fn: (e: KeyboardEvent) => boolean | void) => void} onKey keys until the route changes; true: handled
 * @property {(fn: () => void) => void} onLeave
 * @property {() => Promise<void>} refreshCounts
 * @property {string} section the route's second part (#/admin/<section>)
 * @property {() => string} lastInbox
 */

const app = /** @type {HTMLElement} index.html has it */ (document.getElementById('app'));
/** @type {{me: Me | null, nav: import('./nav.js').Nav | null, main: HTMLElement | null, cleanups: (() => void)[], closeStream: (() => void) | null, lastInbox: string, pendingG: boolean}} */
const state = { me: null, nav: null, main: null, cleanups: [], closeStream: null, lastInbox: '#/inbox/mine', pendingG: false };
/** @type {Set<(event: import('./api.js').LiveEvent) => void>} */
const eventHandlers = new Set();

/** @param {string} hash */
function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

/** Runs `fn` when the route changes (views register their timers, listeners and subscriptions here). @param {() => void} fn */
function onLeave(fn) {
  state.cleanups.push(fn);
}

/** Subscribes a view to live events until the route changes. @param {(event: import('./api.js').LiveEvent) => void} fn */
function onEvent(fn) {
  eventHandlers.add(fn);
  onLeave(() => eventHandlers.delete(fn));
}

/** A view's own keyboard shortcuts until the route changes; return true when the key was handled.
 * @param {(e: KeyboardEvent) => boolean | void} fn */
function onKey(fn) {
  keyHandlers.add(fn);
  onLeave(() => keyHandlers.delete(fn));
}
/** @type {Set<(e: KeyboardEvent) => boolean | void>} */
const keyHandlers = new Set();

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  return { name: parts[0] ?? '', arg: parts[1] ?? '' };
}

async function route() {
  for (const fn of state.cleanups.splice(0)) {
    try {
      fn();
    } catch {
      // a view's cleanup failing must not block the next view
    }
  }
  const { name, arg } = parseHash();
  if (!state.me) {
    if (name !== 'login') history.replaceState(null, '', '#/login');
    return showLogin();
  }
  if (name === 'login' || name === '') return navigate('#/inbox/mine');
  const { nav, main } = state.main && state.nav ? { nav: state.nav, main: state.main } : showShell(state.me);
  /** @type {ViewCtx} */
  const ctx = { api, me: state.me, navigate, onEvent, onKey, onLeave, refreshCounts, section: arg, lastInbox: () => state.lastInbox };
  nav.setActive(name, arg);
  // Each route draws into an element of its own: a slow view that finishes after the user has moved on writes
  // into a detached element instead of over the current page.
  const root = h('div', { class: 'view-root' });
  main.replaceChildren(root);
  root.replaceChildren(h('div', { class: 'view-loading', role: 'status' }, 'Loading…'));
  try {
    if (name === 'inbox') {
      const view = /** @type {import('./inbox.js').InboxView} */ (['mine', 'unassigned', 'teams', 'all'].includes(arg) ? arg : 'mine');
      state.lastInbox = `#/inbox/${view}`;
      const mod = await import('./inbox.js');
      await mod.render(root, { ...ctx, view });
    } else if (name === 'sessions' && arg) {
      const mod = await import('./session.js');
      await mod.render(root, { ...ctx, sessionId: arg });
    } else if (name === 'dashboard') {
      await renderOptional(root, './dashboard.js', ctx, 'Dashboard');
    } else if (name === 'admin') {
      if (state.me.agent.role !== 'admin') return mount(root, notice('Admins only', 'Ask an administrator for access to this page.'));
      await renderOptional(root, './admin.js', { ...ctx, section: arg || 'channels' }, 'Admin');
    } else {
      mount(root, notice('Page not found', 'There is nothing at this address.'));
    }
  } catch (/** @type {any} */ err) {
    if (err?.status === 401) return;
    mount(root, notice('Something went wrong', err?.message ?? String(err)));
  }
}

/** Admin and dashboard come from another module that may not be there yet: say so instead of failing.
 * @param {HTMLElement} root @param {string} path @param {ViewCtx} ctx @param {string} title */
async function renderOptional(root, path, ctx, title) {
  let mod;
  try {
    mod = await import(path);
  } catch {
    return mount(root, notice(`${title}: coming soon`, 'This part of the console is not available yet.'));
  }
  root.replaceChildren();
  await mod.render(root, ctx);
}

/** @param {string} title @param {string} text */
function notice(title, text) {
  return h('section', { class: 'empty-state' }, h('h1', {}, title), h('p', { class: 'muted' }, text));
}

function showLogin() {
  state.main = null;
  state.nav = null;
  app.removeAttribute('aria-busy');
  renderLogin(app, {
    onSignedIn: async (session) => {
      await signedIn(session);
      navigate('#/inbox/mine');
    },
  });
}

/** The nav and the main area, for a signed-in agent. @param {Me} me */
function showShell(me) {
  const nav = (state.nav = buildNav({ me, onSignOut: signOut }));
  const main = (state.main = h('main', { id: 'main', class: 'main', tabindex: '-1' }));
  const skip = h('a', { href: '#main', class: 'skip-link', onclick: (/** @type {MouseEvent} */ e) => (e.preventDefault(), main.focus()) }, 'Skip to content');
  mount(app, skip, h('div', { class: 'shell' }, nav.el, main));
  app.removeAttribute('aria-busy');
  refreshCounts();
  return { nav, main };
}

/** @param {Me} session */
async function signedIn(session) {
  state.me = session;
  state.closeStream?.();
  state.closeStream = stream(
    (event) => {
      for (const fn of eventHandlers) fn(event);
      if (String(event.type).startsWith('conversation.')) scheduleCounts();
    },
    (status) => state.nav?.setLive(status),
  );
}

/** @type {number | undefined} */
let countsTimer;
function scheduleCounts() {
  clearTimeout(countsTimer);
  countsTimer = setTimeout(refreshCounts, 800);
}
async function refreshCounts() {
  if (!state.nav || !state.me) return;
  try {
    await updateCounts(api, state.me, state.nav);
  } catch {
    // counts are a nicety: the inbox itself reports errors
  }
}

async function signOut() {
  state.closeStream?.();
  state.closeStream = null;
  try {
    await logout();
  } catch {
    // signed out locally either way
  }
  state.me = null;
  navigate('#/login');
}

// 401 anywhere means the console session ended (expired, password changed): back to sign-in.
onUnauthorized(() => {
  if (!state.me) return;
  state.closeStream?.();
  state.me = null;
  toast('Your session ended. Sign in again.', 'error');
  navigate('#/login');
});

/** @param {EventTarget | null} t */
function typingTarget(t) {
  return t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
}

document.addEventListener('keydown', (e) => {
  if (!state.me || e.ctrlKey || e.metaKey || e.altKey) return;
  if (typingTarget(e.target)) {
    if (e.key === 'Escape') /** @type {HTMLElement} */ (e.target).blur();
    return;
  }
  if (state.pendingG) {
    state.pendingG = false;
    if (e.key === 'i') return (e.preventDefault(), navigate(state.lastInbox));
    if (e.key === 'd') return (e.preventDefault(), navigate('#/dashboard'));
  }
  if (e.key === 'g') {
    state.pendingG = true;
    setTimeout(() => (state.pendingG = false), 1200);
    return;
  }
  for (const fn of [...keyHandlers]) if (fn(e)) return e.preventDefault();
  if (e.key === '?') toast('Shortcuts: j/k move · Enter open · r reply · e resolve · Esc back · g i inbox · g d dashboard');
});

window.addEventListener('hashchange', route);

(async function start() {
  try {
    const session = await fetchMe();
    if (session) await signedIn(session);
  } catch (/** @type {any} */ err) {
    toast(err.message, 'error');
  }
  route();
})();
