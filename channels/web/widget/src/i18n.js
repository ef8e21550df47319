// Every text the widget shows a visitor, in one place (English today; a translation replaces this module).
// Texts that carry a value are functions of it. The protocol is docs/web-chat.md.

export const t = {
  // the theme's defaults until GET /config answers (docs/web-chat.md, "theme")
  defaultTitle: 'Support',
  defaultGreeting: 'Hi! How can we help?',
  assistant: 'Assistant',
  supportAgent: 'Support agent',

  openChat: 'Open chat',
  closeChat: 'Close chat',
  minimizeChat: 'Minimize chat',
  messages: 'Messages',
  message: 'Message',
  placeholder: 'Write a message…',
  chooseFile: 'Choose file',
  attachFile: 'Attach a file',
  send: 'Send',
  rateHelp: 'Rate the help you got, from 1 (poor) to 5 (excellent)',
  rateAs: (/** @type {number} */ n) => `Rate ${n} of 5`,
  rated: (/** @type {number} */ n) => `Thanks for your rating: ${n} of 5`,
  subtitle: "We're here to help",
  poweredBy: 'Powered by Switchboard',

  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  offline: "You're offline. Reconnecting…",
  identityRefused: "We couldn't verify your identity, so the chat isn't available right now. Please refresh the page or sign in again.",

  sending: 'Sending…',
  uploading: 'Uploading…',
  waitingToSend: 'Waiting to send…',
  notSent: 'This message could not be sent.',
  retry: 'Retry',
  /** @param {string} name */
  uploadingFile: (name) => 'Uploading ' + name + '…',
  /** @param {string} name @param {string} size @param {string} max */
  fileTooLarge: (name, size, max) => '“' + name + '” is too large (' + size + '). Files can be up to ' + max + '.',
  uploadOffline: 'The upload failed. Check your connection.',
  /** @param {number} status */
  uploadFailed: (status) => 'The upload failed (' + status + ').',
  /** @param {string} seconds */
  tryAgainIn: (seconds) => ' Try again in ' + seconds + ' s.',

  /** @param {number} length @param {number} max */
  counter: (length, max) => length + ' / ' + max,
  /** @param {number} over @param {number} max */
  overLimit: (over, max) => over + (over > 1 ? ' characters' : ' character') + ' over the limit of ' + max,

  /** @param {string|null} name */
  agentJoined: (name) => (name || 'An agent') + ' joined the conversation',
  closed: 'The conversation was closed',
  reopened: 'The conversation was reopened',

  /** @param {string[]} names at least one */
  typing: (names) =>
    names.length === 1 ? names[0] + ' is typing…' : names.slice(0, -1).join(', ') + ' and ' + names[names.length - 1] + ' are typing…',
};
