import { jwtSubject } from './util.js';

// Who the visitor is: POST /visitors (docs/web-chat.md) gets or renews the visitor token, from the page's settings
// (a signed user, a token the site gave, or nobody) and the token stored from an earlier page.

/** @typedef {import('./locate.js').Settings} Settings */

/**
 * @param {{api: string, state: import('./state.js').State, store: import('./store.js').Store, settings: Settings,
 *   customData: import('./locate.js').CustomData | undefined, switchContact: (cid: string) => void, onBlocked: () => void}} deps
 *   onBlocked: the identity was refused (the state says blocked already)
 */
export function createVisitor({ api, state, store, settings, customData, switchContact, onBlocked }) {
  const visitor = state.visitor;

  /** @param {object} payload */
  async function postVisitor(payload) {
    const res = await fetch(api + '/visitors', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload) });
    return { status: res.status, ok: res.ok, /** @type {any} */ data: await res.json().catch(() => null) };
  }

  /** Gets or renews the visitor token. Throws on transient errors; blocks the widget when the identity is refused. */
  async function ensure() {
    const uid = settings.user_id != null && settings.user_id !== '' ? String(settings.user_id) : '';
    /** @type {Record<string, any>} */
    const ident = {};
    // An HS256 JWT from the site's server (sub = the user id) is the stronger of the two identity modes: it wins.
    const jwt = typeof settings.user_jwt === 'string' ? settings.user_jwt : '';
    if (jwt) ident.user_jwt = jwt;
    else if (uid) Object.assign(ident, { user_id: uid, user_hash: String(settings.user_hash ?? '') });
    if (typeof settings.name === 'string') ident.name = settings.name;
    if (typeof settings.email === 'string') ident.email = settings.email;
    if (customData) ident.custom_data = customData;
    // A stored token is only reused by the same kind of visitor (same user_id, same "page gave a token", or anonymous),
    // so signing out on a shared computer does not reopen someone else's conversation.
    const who = jwt ? 'user:' + jwtSubject(jwt) : uid ? 'user:' + uid : settings.token ? 'token' : '';
    let stored = store.get('token');
    if (stored && (store.get('user') || '') !== who) {
      store.set('token', null);
      stored = null;
    }
    // a token given by the page (POST /widget/authenticate-user) wins on page load; renewals then use the stored one
    const given = typeof settings.token === 'string' && settings.token && !visitor.givenUsed ? settings.token : null;
    visitor.givenUsed = true;
    const first = given || stored;
    let r = await postVisitor(first ? { token: first, ...ident } : ident);
    if (r.status === 401 && first) {
      // that token is no longer good: once more without it
      if (!given) store.set('token', null);
      r = await postVisitor(ident);
    }
    if (r.status === 401 && (uid || jwt)) {
      visitor.blocked = true;
      visitor.token = null;
      onBlocked();
      throw new Error('identity refused');
    }
    if (!r.ok || !r.data || typeof r.data.token !== 'string') throw new Error('POST /visitors: ' + r.status);
    const token = /** @type {string} */ (r.data.token);
    visitor.token = token;
    store.set('token', token);
    store.set('user', who || null);
    const cid = r.data.visitor && r.data.visitor.contact_id;
    if (cid != null) switchContact(String(cid));
  }

  return { ensure };
}
