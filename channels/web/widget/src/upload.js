import { t } from './i18n.js';
import { humanSize, uuid } from './util.js';

// Files the visitor attaches, drops or pastes: one POST /messages (multipart, docs/web-chat.md) each, with the
// visitor token renewed once on a 401. Too-large files are refused here, before any byte is sent.

/** @typedef {import('./state.js').Out} Out */
/** @typedef {ReturnType<typeof createUploads>} Uploads */

/**
 * @param {{state: import('./state.js').State, api: string, outbox: import('./outbox.js').Outbox,
 *   ensureVisitor: () => Promise<void>, onAck: (a: {client_msg_id: string, id: string, seq: number}) => void}} deps
 */
export function createUploads({ state, api, outbox, ensureVisitor, onAck }) {
  const { limits, visitor } = state;

  /** @param {FileList|File[]} files */
  function addFiles(files) {
    for (const file of Array.from(files)) {
      if (visitor.blocked) return;
      const cid = uuid();
      /** @type {Out} */
      const ob = { cid, file, el: outbox.pendingLi(cid, t.uploadingFile(file.name), humanSize(file.size)) };
      if (file.size > limits.max_file_bytes) {
        outbox.fail(ob, t.fileTooLarge(file.name, humanSize(file.size), humanSize(limits.max_file_bytes)), false);
        continue;
      }
      state.outbox.set(cid, ob);
      upload(ob);
    }
  }

  /** @param {Out} ob @param {boolean} [again] this is the retry after a 401 */
  async function upload(ob, again) {
    const file = ob.file;
    if (!file) return;
    state.outbox.set(ob.cid, ob);
    if (!visitor.token) await ensureVisitor().catch(() => {});
    const fd = new FormData();
    fd.append('client_msg_id', ob.cid);
    fd.append('file', file, file.name);
    let res;
    try {
      res = await fetch(api + '/messages', { method: 'POST', headers: { Authorization: 'Bearer ' + visitor.token }, body: fd });
    } catch {
      if (state.outbox.has(ob.cid)) outbox.fail(ob, t.uploadOffline, true);
      return;
    }
    if (res.status === 401 && !again) {
      await ensureVisitor().catch(() => {});
      if (!visitor.blocked) return upload(ob, true);
    }
    /** @type {any} */
    const data = await res.json().catch(() => null);
    if (!state.outbox.has(ob.cid)) return; // the message frame already replaced the bubble
    if (!res.ok) {
      const wait = res.status === 429 && res.headers.get('Retry-After');
      const said = data && typeof data.message === 'string' && data.message;
      outbox.fail(ob, (said || t.uploadFailed(res.status)) + (wait ? t.tryAgainIn(wait) : ''), res.status >= 429 || res.status === 401);
      return;
    }
    const txt = ob.el.querySelector('.text');
    if (txt) txt.textContent = file.name;
    if (data && data.id != null) onAck({ client_msg_id: ob.cid, id: data.id, seq: data.seq });
  }

  return { addFiles, upload: (/** @type {Out} */ ob) => upload(ob) };
}
