import { createHash } from 'node:crypto';
import type { AdapterDeps, FetchedMedia } from '../../../src/domain/model/adapter.ts';
import type { AttachmentRef } from '../../../src/domain/model/messages.ts';
import { MediaError } from '../../../src/errors.ts';
import type { MetaConfig } from './config.ts';
import { readCapped } from '../../shared/read-capped.ts';

// Inbound media in two steps (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media): the Graph
// media object gives a short-lived download URL, which needs the same Bearer token. The token goes only to Meta's own
// hosts, and redirects are refused, so neither a crafted ref nor a redirect can carry it elsewhere. Size is enforced
// while streaming, not trusted from headers.

const DOWNLOAD_HOST = 'lookaside.fbsbx.com';

interface MediaObject {
  url?: unknown;
  mime_type?: unknown;
  sha256?: unknown;
  file_size?: unknown;
}

/** Meta gives sha256 as hex (media object) or base64 (some webhooks): accept either spelling. */
function sha256Matches(bytes: Uint8Array, expected: string): boolean {
  const digest = createHash('sha256').update(bytes).digest();
  return expected.toLowerCase() === digest.toString('hex') || expected === digest.toString('base64');
}

export function createMediaFetcher(config: MetaConfig, deps: AdapterDeps) {
  const apiHost = new URL(config.api_base_url).host;
  const auth = { authorization: `Bearer ${config.access_token}` };

  async function get(url: string, signal: AbortSignal): Promise<Response> {
    let res: Response;
    try {
      res = await deps.fetch(url, { headers: auth, redirect: 'error', signal });
    } catch (err) {
      throw new MediaError(`WhatsApp media request failed: ${(err as Error).message}`, { cause: err });
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      throw new MediaError(`WhatsApp media request answered HTTP ${res.status}`);
    }
    return res;
  }

  return async function fetchMedia(ref: AttachmentRef, maxBytes: number, signal: AbortSignal): Promise<FetchedMedia> {
    const objectUrl = parseUrl(ref.url);
    if (!objectUrl || objectUrl.host !== apiHost) throw new MediaError(`media URL is not on ${apiHost}`);

    let meta: MediaObject;
    try {
      meta = (await (await get(objectUrl.href, signal)).json()) as MediaObject;
    } catch (err) {
      if (err instanceof MediaError) throw err;
      throw new MediaError('WhatsApp media object is not JSON', { cause: err });
    }
    if (typeof meta.file_size === 'number' && meta.file_size > maxBytes) {
      throw new MediaError(`media is ${meta.file_size} bytes, over ${maxBytes}`);
    }
    const download = parseUrl(typeof meta.url === 'string' ? meta.url : undefined);
    const trusted = download && ((download.host === DOWNLOAD_HOST && download.protocol === 'https:') || download.host === apiHost);
    if (!trusted) throw new MediaError(`media download URL is not on ${DOWNLOAD_HOST} or ${apiHost}`);

    let bytes: Uint8Array;
    try {
      bytes = await readCapped(await get(download.href, signal), maxBytes);
    } catch (err) {
      if (err instanceof MediaError) throw err;
      throw new MediaError(`WhatsApp media download failed: ${(err as Error).message}`, { cause: err });
    }
    const expected = typeof meta.sha256 === 'string' && meta.sha256 ? meta.sha256 : ref.sha256;
    if (expected && !sha256Matches(bytes, expected)) throw new MediaError('media sha256 does not match what Meta announced');
    const contentType = typeof meta.mime_type === 'string' && meta.mime_type ? meta.mime_type : ref.contentType;
    return { bytes, contentType, filename: ref.filename };
  };
}

function parseUrl(s: string | undefined): URL | undefined {
  if (!s) return undefined;
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}
