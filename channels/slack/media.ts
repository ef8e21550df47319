import type { AdapterDeps, FetchedMedia } from '../../src/domain/model/adapter.ts';
import type { AttachmentRef } from '../../src/domain/model/messages.ts';
import { MediaError } from '../../src/errors.ts';
import { readCapped } from '../shared/read-capped.ts';
import { type SlackConfig, tokenFor } from './config.ts';

// Files people share (url_private / url_private_download) need the bot token of the workspace they belong to
// (https://api.slack.com/types/file). The token goes only to files.slack.com (or the configured API host, for the
// sandbox), and redirects are not followed, so a crafted URL or a redirect cannot carry it elsewhere. Without
// files:read Slack does not refuse: it answers 200 with its HTML login page, which must not be stored as the
// customer's file.

const FILES_HOST = 'files.slack.com';

/** `/files-pri/T0123-F0456/name.png` → T0123: the workspace whose token may read the file. */
function teamOf(url: URL): string | undefined {
  return /^\/files-pri\/([TE][A-Z0-9]+)-[A-Z0-9]+\//.exec(url.pathname)?.[1];
}

function parseUrl(s: string | undefined): URL | undefined {
  try {
    return s ? new URL(s) : undefined;
  } catch {
    return undefined;
  }
}

export function createMediaFetcher(config: SlackConfig, deps: AdapterDeps) {
  const apiHost = new URL(config.api_base_url).host;

  return async function fetchMedia(ref: AttachmentRef, maxBytes: number, signal: AbortSignal): Promise<FetchedMedia> {
    const url = parseUrl(ref.url);
    const trusted = url && ((url.host === FILES_HOST && url.protocol === 'https:') || url.host === apiHost);
    if (!url || !trusted) throw new MediaError(`Slack file URL is not on ${FILES_HOST} or ${apiHost}`);
    const token = tokenFor(config, teamOf(url));
    if (!token) throw new MediaError(`No bot token for the workspace of ${url.pathname}`);

    let res: Response;
    try {
      res = await deps.fetch(url.href, { headers: { authorization: `Bearer ${token}` }, redirect: 'manual', signal });
    } catch (err) {
      throw new MediaError(`Slack file request failed: ${(err as Error).message}`, { cause: err });
    }
    const contentType = res.headers.get('content-type') ?? '';
    if (!res.ok || /^text\/html\b/i.test(contentType)) {
      await res.body?.cancel().catch(() => {});
      if (res.status >= 300 && res.status < 400) throw new MediaError(`Slack redirected the file request (to ${res.headers.get('location') ?? '?'}): not followed`);
      if (!res.ok) throw new MediaError(`Slack file request answered HTTP ${res.status}`);
      throw new MediaError('Slack answered with an HTML page instead of the file (does the bot token have files:read?)');
    }
    const bytes = await readCapped(res, maxBytes).catch((err: unknown) => {
      if (err instanceof MediaError) throw err;
      throw new MediaError(`Slack file download failed: ${(err as Error).message}`, { cause: err });
    });
    // Slack's file object knows the type; the download may be served as application/octet-stream.
    const served = contentType.split(';')[0]?.trim();
    const known = ref.contentType && ref.contentType !== 'application/octet-stream' ? ref.contentType : undefined;
    return { bytes, contentType: known ?? (served || 'application/octet-stream'), filename: ref.filename };
  };
}
