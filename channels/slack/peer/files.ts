import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PendingUpload, SlackFile, SlackState, StoredFile } from './state.ts';
import { bearerToken, type Params, readRaw, sendHtml, slackId, str, structured } from './wire.ts';

// Files the way Slack serves them: private URLs that need the bot token (without it Slack answers 200 with its
// login page, which is why adapters must check content-type), and the three-step external upload that
// @slack/web-api's filesUploadV2 performs (getUploadURLExternal → POST bytes → completeUploadExternal).

const MIME_BY_EXT: Record<string, string> = {
  txt: 'text/plain', csv: 'text/csv', html: 'text/html', json: 'application/json', pdf: 'application/pdf',
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp',
  mp3: 'audio/mpeg', mp4: 'video/mp4', zip: 'application/zip',
};

export function mimeFromName(name: string): string {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? '';
  return MIME_BY_EXT[ext] ?? 'application/octet-stream';
}

export function storeFile(state: SlackState, bytes: Uint8Array, mimetype: string, name: string, id = slackId('F')): StoredFile {
  const base = `${state.url()}/files-pri/${state.creds.teamId}-${id}`;
  const safe = encodeURIComponent(name);
  const file: StoredFile = {
    id, name, mimetype, size: bytes.length, title: name, bytes: Buffer.from(bytes), created: Math.floor(Date.now() / 1000),
    url_private: `${base}/${safe}`,
    url_private_download: `${base}/download/${safe}`,
  };
  state.files.set(id, file);
  return file;
}

export function publicFile(file: StoredFile): SlackFile {
  const { id, name, mimetype, size, url_private, url_private_download } = file;
  return { id, name, mimetype, size, url_private, url_private_download };
}

/** GET /files-pri/<team>-<id>/<name> and …/download/<name>. */
export function serveFile(state: SlackState, req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  const match = /^\/files-pri\/([A-Z0-9]+)-([A-Z0-9]+)\/(?:download\/)?[^/]+$/.exec(url.pathname);
  if (!match || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  const token = bearerToken(req);
  if (!token || !state.tokens.has(token)) {
    sendHtml(res, 200, `<!DOCTYPE html><html><head><title>Slack</title></head><body><h1>Sign in to ${state.creds.teamName}</h1><form action="/signin" method="post"><input name="email"><input name="password" type="password"></form></body></html>`);
    return true;
  }
  const file = match[1] === state.creds.teamId ? state.files.get(match[2] ?? '') : undefined;
  if (!file) {
    sendHtml(res, 404, '<!DOCTYPE html><html><body><h1>File not found</h1></body></html>');
    return true;
  }
  const download = url.pathname.includes('/download/');
  res.writeHead(200, {
    'Content-Type': file.mimetype,
    'Content-Length': String(file.size),
    ...(download ? { 'Content-Disposition': `attachment; filename="${file.name.replace(/"/g, '')}"` } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : file.bytes);
  return true;
}

export function getUploadUrl(state: SlackState, params: Params): Params {
  const filename = str(params, 'filename');
  const length = Number(str(params, 'length'));
  if (!filename || !Number.isInteger(length) || length < 0) return { ok: false, error: 'invalid_arguments' };
  const upload: PendingUpload = { file_id: slackId('F'), filename, length };
  state.pending.set(upload.file_id, upload);
  return { ok: true, upload_url: `${state.url()}/upload/${upload.file_id}`, file_id: upload.file_id };
}

/** POST /upload/<file id>: raw bytes, or multipart (filesUploadV2 sends one file part named "body"; curl users "file"). */
export async function receiveUpload(state: SlackState, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const match = /^\/upload\/([A-Z0-9]+)$/.exec(url.pathname);
  if (!match || req.method !== 'POST') return false;
  const pending = state.pending.get(match[1] ?? '');
  const raw = await readRaw(req);
  if (!pending) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found');
    return true;
  }
  const type = req.headers['content-type'] ?? '';
  let bytes = raw;
  if (type.toLowerCase().startsWith('multipart/form-data')) {
    const form = await new Request('http://upload.invalid/', { method: 'POST', headers: { 'content-type': type }, body: new Uint8Array(raw) }).formData();
    const part = form.get('file') ?? [...form.values()].find((v) => typeof v !== 'string');
    if (typeof part === 'string') bytes = Buffer.from(part, 'utf8');
    else bytes = part ? Buffer.from(new Uint8Array(await part.arrayBuffer())) : Buffer.alloc(0);
  }
  pending.bytes = bytes;
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`OK - ${bytes.length}`);
  return true;
}

export function completeUpload(state: SlackState, params: Params): Params {
  const files = structured(params, 'files');
  if (!Array.isArray(files) || files.length === 0) return { ok: false, error: 'invalid_arguments' };
  const channelId = str(params, 'channel_id') ?? str(params, 'channels');
  const threadTs = str(params, 'thread_ts');
  const slots: Array<{ pending: PendingUpload; title?: string }> = [];
  for (const entry of files as unknown[]) {
    const id = entry && typeof entry === 'object' ? (entry as { id?: unknown }).id : undefined;
    const pending = typeof id === 'string' ? state.pending.get(id) : undefined;
    if (!pending?.bytes) return { ok: false, error: 'file_not_found' };
    const title = (entry as { title?: unknown }).title;
    slots.push({ pending, ...(typeof title === 'string' ? { title } : {}) });
  }
  const answer = slots.map(({ pending, title }) => {
    state.pending.delete(pending.file_id);
    const bytes = pending.bytes ?? Buffer.alloc(0);
    const file = storeFile(state, bytes, mimeFromName(pending.filename), pending.filename, pending.file_id);
    file.title = title ?? pending.filename;
    const initialComment = str(params, 'initial_comment');
    state.uploads.push({
      file_id: file.id, filename: file.name, title: file.title, bytes,
      ...(channelId ? { channel_id: channelId } : {}),
      ...(threadTs ? { thread_ts: threadTs } : {}),
      ...(initialComment ? { initial_comment: initialComment } : {}),
      at: new Date(),
    });
    const permalink = `${state.url()}/files/${state.creds.botUserId}/${file.id}/${encodeURIComponent(file.name)}`;
    return { ...publicFile(file), title: file.title, created: file.created, user: state.creds.botUserId, permalink };
  });
  return { ok: true, files: answer };
}
