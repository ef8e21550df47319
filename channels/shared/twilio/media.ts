import type { FetchedMedia } from '../../../src/domain/model/adapter.ts';
import type { AttachmentRef } from '../../../src/domain/model/messages.ts';
import { MediaError } from '../../../src/errors.ts';
import { readCapped } from '../read-capped.ts';

// Inbound media lives behind HTTP Basic at Twilio and redirects to its storage (S3 / twiliocdn). A media URL comes
// from a webhook, so it is untrusted input: we only start at Twilio's API host (or the configured base URL), follow
// at most 3 redirects and only into Twilio's storage, never send the credentials to another host, and count bytes.

const MAX_REDIRECTS = 3;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const TWILIO_API_HOST = 'api.twilio.com';

export interface MediaFetchOptions {
  fetch: typeof fetch;
  /** config.api_base_url: its host is also a valid start (the sandbox peer, a regional API). */
  apiBaseUrl: string;
  username: string;
  password: string;
}

function isStartHost(url: URL, base: URL): boolean {
  if (url.host === base.host && url.protocol === base.protocol) return true;
  return url.protocol === 'https:' && url.host === TWILIO_API_HOST;
}

function isStorageHost(url: URL, base: URL): boolean {
  if (url.host === base.host && url.protocol === base.protocol) return true;
  if (url.protocol !== 'https:' || url.port !== '') return false;
  const h = url.hostname.toLowerCase();
  return (
    h === TWILIO_API_HOST ||
    h.endsWith('.twiliocdn.com') ||
    h.endsWith('.twilio.com') ||
    /^s3[a-z0-9.-]*\.amazonaws\.com$/.test(h)
  );
}

function parseUrl(raw: string, base?: URL): URL {
  try {
    return new URL(raw, base);
  } catch {
    throw new MediaError(`Not a media URL: ${raw}`);
  }
}

export async function fetchTwilioMedia(
  ref: AttachmentRef,
  maxBytes: number,
  signal: AbortSignal,
  opts: MediaFetchOptions,
): Promise<FetchedMedia> {
  if (!ref.url) throw new MediaError('Attachment has no media URL');
  const base = new URL(opts.apiBaseUrl);
  const first = parseUrl(ref.url);
  if (!isStartHost(first, base)) throw new MediaError(`Refusing media from ${first.host}: not a Twilio API host`);
  const authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;

  let url = first;
  for (let hop = 0; ; hop++) {
    // Credentials go to the host the URL started at only; a presigned storage URL needs none.
    const headers: Record<string, string> = url.host === first.host ? { Authorization: authorization } : {};
    const res = await opts.fetch(url, { headers, redirect: 'manual', signal });
    if (REDIRECT_STATUSES.has(res.status)) {
      await res.body?.cancel();
      const location = res.headers.get('location');
      if (!location) throw new MediaError(`Redirect ${res.status} without a Location`);
      if (hop >= MAX_REDIRECTS) throw new MediaError(`More than ${MAX_REDIRECTS} redirects fetching media`);
      const next = parseUrl(location, url);
      if (!isStorageHost(next, base)) throw new MediaError(`Refusing media redirect to ${next.host}`);
      url = next;
      continue;
    }
    if (res.status < 200 || res.status >= 300) {
      await res.body?.cancel();
      throw new MediaError(`Twilio answered ${res.status} for the media`);
    }
    const bytes = await readCapped(res, maxBytes);
    const contentType = res.headers.get('content-type')?.split(';')[0]?.trim() || ref.contentType;
    return { bytes, contentType, filename: ref.filename };
  }
}
