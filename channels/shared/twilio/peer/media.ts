import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basicAuth, sendUnauthenticated } from './http.ts';
import { isAuthorized, type PeerState } from './state.ts';
import { twilioSid } from './sids.ts';

// Inbound media as Twilio serves it: `…/Messages/{MM}/Media/{ME}` needs the account's HTTP Basic auth and answers
// with a redirect to a presigned storage URL (S3 for real Twilio; here `/_media/{ME}?Signature=…` on the peer),
// which needs no credentials. The redirect is what lets clients prove they follow it safely.

export const MEDIA_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Messages\/([A-Z]{2}[0-9a-f]{32})\/Media\/(ME[0-9a-f]{32})$/;
export const STORAGE_PATH = /^\/_media\/(ME[0-9a-f]{32})$/;

interface StoredMedia {
  bytes: Uint8Array;
  contentType: string;
  /** The presigned URL's secret. */
  signature: string;
}

export class MediaStore {
  private readonly items = new Map<string, StoredMedia>();

  constructor(private readonly state: PeerState) {}

  /** Keeps the bytes and returns their Twilio media URL (under `messageSid`, or a fresh MM… sid). */
  add(bytes: Uint8Array, contentType: string, messageSid = twilioSid('MM')): string {
    const mediaSid = twilioSid('ME');
    this.items.set(mediaSid, { bytes, contentType, signature: randomBytes(12).toString('hex') });
    return `${this.state.url}/2010-04-01/Accounts/${this.state.accountSid}/Messages/${messageSid}/Media/${mediaSid}`;
  }

  /** GET …/Media/{ME}: authenticated, then redirected to storage. */
  serveMedia(req: IncomingMessage, res: ServerResponse, accountSid: string, mediaSid: string): void {
    if (!isAuthorized(this.state, basicAuth(req))) return sendUnauthenticated(res);
    const item = accountSid === this.state.accountSid ? this.items.get(mediaSid) : undefined;
    if (!item) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ code: 20404, message: 'The requested resource was not found', status: 404 }));
      return;
    }
    res.writeHead(302, { Location: `/_media/${mediaSid}?Signature=${item.signature}` }).end();
  }

  /** GET /_media/{ME}?Signature=…: the storage side, which answers like S3 when the signature is wrong. */
  serveStorage(res: ServerResponse, mediaSid: string, signature: string | null): void {
    const item = this.items.get(mediaSid);
    if (!item || signature !== item.signature) {
      res.writeHead(403, { 'Content-Type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
      return;
    }
    res.writeHead(200, { 'Content-Type': item.contentType, 'Content-Length': String(item.bytes.byteLength) });
    res.end(item.bytes);
  }
}
