import { t } from './i18n.js';

// All the widget's mutable state, in one object the modules share (instead of a dozen loose flags): what the
// server said (theme, limits), the conversation shown, the sends not yet acknowledged, the visitor, the socket
// and the panel. Only the module named next to a group changes it.

/** @typedef {{type: string, name: string|null}} Sender */
/** @typedef {{name: string, type: string, size: number, url: string}} Att */
/** @typedef {{id: string, seq: number, created_at?: string, client_msg_id?: string|null, event?: string, sender: Sender, text: string|null, attachments?: Att[], session_id?: string, rating?: boolean}} Msg */
/** A stored message on screen (`key`: what it looked like, to re-render a changed repeat; `at`: first shown).
 * @typedef {{msg: Msg, el: HTMLLIElement, key: string, at: number}} Shown */
/** A send the server has not stored yet, by client_msg_id.
 * @typedef {{cid: string, text?: string, file?: File, el: HTMLLIElement, failed?: boolean, timer?: any, tries?: number}} Out */
/** @typedef {'none' | 'shown' | 'pinned' | 'gone'} Greeting pinned: the visitor answered it */

/**
 * @typedef {object} State
 * @property {{color: string, position: string, title: string, greeting: string, ai_name: string}} theme config.js
 * @property {{max_text_length: number, max_file_bytes: number, allowed_file_types: string[]}} limits config.js
 * @property {Map<string, Shown>} messages by id (conversation.js)
 * @property {Map<string, Out>} outbox by client_msg_id (outbox.js, upload.js, conversation.js)
 * @property {Map<string, {name: string, timer: any}>} typers who is typing, by "type:name" (typing.js)
 * @property {{token: string|null, contactId: string|null, blocked: boolean, givenUsed: boolean}} visitor visitor.js;
 *   blocked: the identity was refused, the chat is off; givenUsed: the page's token was tried once
 * @property {{ws: WebSocket|null, ready: boolean, everReady: boolean, starting: boolean, attempt: number, readyAt: number, authFailures: number, retryTimer: any}} socket
 *   connection.js; ready: `ready` frame received; attempt: reconnects since the last good one
 * @property {{open: boolean, closeTimer: any, stuck: boolean, unread: number, readSeq: number, greeting: Greeting, greetingEl: HTMLLIElement|null, lastTyping: number}} ui
 *   panel.js, view.js (stuck: scrolled to the bottom), conversation.js, composer.js (lastTyping: our last typing frame)
 */

/** @param {number} readSeq the last seq the visitor saw, from an earlier page @returns {State} */
export function createState(readSeq) {
  return {
    theme: { color: '#4f46e5', position: 'right', title: t.defaultTitle, greeting: t.defaultGreeting, ai_name: t.assistant },
    limits: { max_text_length: 4000, max_file_bytes: 10485760, allowed_file_types: [] },
    messages: new Map(),
    outbox: new Map(),
    typers: new Map(),
    visitor: { token: null, contactId: null, blocked: false, givenUsed: false },
    socket: { ws: null, ready: false, everReady: false, starting: false, attempt: 0, readyAt: 0, authFailures: 0, retryTimer: null },
    ui: { open: false, closeTimer: null, stuck: true, unread: 0, readSeq, greeting: 'none', greetingEl: null, lastTyping: 0 },
  };
}
