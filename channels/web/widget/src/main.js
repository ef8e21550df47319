import { loadConfig } from './config.js';
import { createComposer } from './composer.js';
import { createConnection } from './connection.js';
import { createConversation } from './conversation.js';
import { t } from './i18n.js';
import { flatCustomData, locate, readSettings } from './locate.js';
import { createOutbox } from './outbox.js';
import { createPanel } from './panel.js';
import { createState } from './state.js';
import { createStore } from './store.js';
import { createTyping } from './typing.js';
import { createUploads } from './upload.js';
import { applyTheme, createView } from './view.js';
import { createVisitor } from './visitor.js';

// The Switchboard web chat widget, served as GET /widget/{public_id}/widget.js (docs/web-chat.md) as one script
// bundled from these modules (channels/web/widget/bundle.ts). This file wires them together and boots: the
// channel's config, the widget on the page, then the visitor and the socket.

function main() {
  const W = /** @type {any} */ (window);
  if (W.__switchboardWidget) return;
  W.__switchboardWidget = true;

  const place = locate();
  if (!place) return;
  const { api, base, publicId } = place;
  const store = createStore(publicId);
  const settings = readSettings();
  const customData = flatCustomData(settings);
  const returning = !!(settings.token || store.get('token'));

  const state = createState(Number(store.get('read')) || 0);
  const view = createView(state);
  const typing = createTyping(state, view);
  // `connection` is made below; a rating click comes long after.
  const conversation = createConversation({ state, view, store, typing, base, rate: (f) => connection.send(f) });
  const visitor = createVisitor({
    api, state, store, settings, customData,
    switchContact: conversation.switchContact,
    onBlocked: () => {
      view.block(t.identityRefused);
      connection.setStatus();
    },
  });
  const connection = createConnection({
    url: api.replace(/^http/, 'ws') + '/ws',
    state,
    status: view.status,
    ensureVisitor: visitor.ensure,
    hello: () => ({ ...conversation.resumePoint(), custom_data: customData }),
    onReady: (f) => {
      if (f.contact_id != null) conversation.switchContact(String(f.contact_id));
      outbox.resendAll();
      if (state.ui.greeting === 'none') setTimeout(conversation.maybeGreet, 600); // after the history replay, if there is none
    },
    onFrame: (f) => {
      if (f.type === 'message') conversation.onMessage(f.message);
      else if (f.type === 'ack') conversation.onAck(f);
      else if (f.type === 'nack') outbox.onNack(f);
      else if (f.type === 'typing') typing.set(f.sender, !!f.active);
      else if (f.type === 'rated') conversation.onRated(f);
    },
    onDown: typing.reset,
  });
  const outbox = createOutbox({
    state, view,
    send: connection.send,
    ensureConnecting: connection.ensureConnecting,
    connectNow: connection.connectNow,
    reupload: (ob) => uploads.upload(ob),
  });
  const uploads = createUploads({ state, api, outbox, ensureVisitor: visitor.ensure, onAck: conversation.onAck });
  createComposer({ state, view, sendText: outbox.sendText, addFiles: uploads.addFiles, send: connection.send });
  createPanel({
    state, view,
    onOpen: () => {
      conversation.markRead();
      conversation.maybeGreet();
      connection.ensureConnecting();
    },
  });

  async function boot() {
    if (!(await loadConfig(api, state))) return console.warn('Switchboard: unknown chat channel ' + publicId);
    applyTheme(view, state);
    if (!document.getElementById('switchboard-widget')) document.body.append(view.host);
    connection.watchPage();
    if (!returning) conversation.maybeGreet();
    connection.start();
  }
  if (document.body) boot();
  else document.addEventListener('DOMContentLoaded', boot, { once: true });
}

main();
