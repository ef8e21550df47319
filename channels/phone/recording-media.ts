import type { AdapterDeps, FetchedMedia } from '../../src/domain/model/adapter.ts';
import type { AttachmentRef } from '../../src/domain/model/messages.ts';
import { MediaError } from '../../src/errors.ts';
import type { PhoneConfig } from './config.ts';
import { readCapped } from '../shared/read-capped.ts';

// Downloads a call recording. Twilio enforces HTTP Basic on media when the account asks for it, and the mp3 may be
// served by a redirect to its storage: we only start at our account's Recordings on the configured API host, only
// follow redirects to Twilio's storage hosts, and never send the credentials to another host.

const MAX_REDIRECTS = 3;
const STORAGE_HOSTS = [/(^|\.)twilio\.com$/, /(^|\.)twiliocdn\.com$/, /\.amazonaws\.com$/];

function startUrl(config: PhoneConfig, ref: AttachmentRef): URL {
  if (!ref.url) throw new MediaError('recording attachment without a URL');
  const url = new URL(ref.url);
  const api = new URL(config.api_base_url);
  const recordings = `/2010-04-01/Accounts/${config.account_sid}/Recordings/`;
  if (url.origin !== api.origin || !url.pathname.startsWith(recordings)) {
    throw new MediaError(`refusing to fetch ${url.origin}${url.pathname}: not a recording of this account`);
  }
  return url;
}

export async function fetchRecording(
  config: PhoneConfig,
  deps: Pick<AdapterDeps, 'fetch'>,
  ref: AttachmentRef,
  maxBytes: number,
  signal: AbortSignal,
): Promise<FetchedMedia> {
  let url = startUrl(config, ref);
  const origin = url.origin;
  const auth = `Basic ${Buffer.from(`${config.account_sid}:${config.auth_token}`).toString('base64')}`;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const headers: Record<string, string> = url.origin === origin ? { Authorization: auth } : {};
    let res: Response;
    try {
      res = await deps.fetch(url, { headers, redirect: 'manual', signal });
    } catch (cause) {
      throw new MediaError(`recording fetch failed: ${(cause as Error).message}`, { cause });
    }
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      const next = new URL(location, url);
      if (next.origin !== origin && (next.protocol !== 'https:' || !STORAGE_HOSTS.some((h) => h.test(next.hostname)))) {
        throw new MediaError(`refusing a redirect to ${next.hostname}`);
      }
      url = next;
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new MediaError(`Twilio answered ${res.status} for the recording`);
    }
    const bytes = await readCapped(res, maxBytes);
    const contentType = res.headers.get('content-type')?.split(';')[0]?.trim() || ref.contentType;
    return { bytes, contentType, filename: ref.filename };
  }
  throw new MediaError(`more than ${MAX_REDIRECTS} redirects for the recording`);
}
