import { hubSignatures } from './wire.ts';

// The webhooks the sandbox posts to a callback, shaped and signed as Meta's
// (https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components): one envelope per
// notification, serialized Meta's way, X-Hub-Signature-256 over those exact bytes.

export interface WebhookSource {
  wabaId: string;
  phoneNumberId: string;
  displayPhoneNumber: string;
  appSecret: string;
}

export interface InboundInput {
  /** The customer's WhatsApp number, digits only (wa_id). */
  from: string;
  name?: string;
  text?: string;
  image?: { bytes: Uint8Array; mimeType: string; caption?: string };
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  /** A wamid to reuse: the same id again redelivers the very same body, as Meta does. */
  id?: string;
}

export interface DeliveryResult {
  status: number;
  body: string;
}

/** `{object, entry: [{id, changes: [{value: {messaging_product, metadata, …}, field: 'messages'}]}]}` */
export function envelope(src: WebhookSource, value: Record<string, unknown>): unknown {
  const metadata = { display_phone_number: src.displayPhoneNumber, phone_number_id: src.phoneNumberId };
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: src.wabaId, changes: [{ value: { messaging_product: 'whatsapp', metadata, ...value }, field: 'messages' }] }],
  };
}

/** The messages[] item for a customer's message; `media` registers an image with the Graph media store. */
export function inboundValue(
  input: InboundInput,
  id: string,
  at: Date,
  media: (bytes: Uint8Array, mimeType: string) => { id: string; sha256: string }
): Record<string, unknown> {
  const base = { from: input.from, id, timestamp: String(Math.floor(at.getTime() / 1000)) };
  let message: Record<string, unknown>;
  if (input.image) {
    const { id: mediaId, sha256 } = media(input.image.bytes, input.image.mimeType);
    const caption = input.image.caption === undefined ? {} : { caption: input.image.caption };
    message = { ...base, type: 'image', image: { ...caption, mime_type: input.image.mimeType, sha256, id: mediaId } };
  } else if (input.location) {
    message = { ...base, type: 'location', location: input.location };
  } else {
    message = { ...base, type: 'text', text: { body: input.text ?? '' } };
  }
  return { contacts: [{ profile: { name: input.name ?? '' }, wa_id: input.from }], messages: [message] };
}

export interface StatusInput {
  id: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  recipient: string;
  at: Date;
  /** The sender's biz_opaque_callback_data, echoed back. */
  bizOpaque?: string | undefined;
  errors?: Array<{ code: number; title: string; message: string; error_data: { details: string } }>;
}

export function statusValue(s: StatusInput, conversationId: string): Record<string, unknown> {
  const common = {
    id: s.id,
    status: s.status,
    timestamp: String(Math.floor(s.at.getTime() / 1000)),
    recipient_id: s.recipient,
    ...(s.bizOpaque ? { biz_opaque_callback_data: s.bizOpaque } : {}),
  };
  if (s.status === 'failed') return { statuses: [{ ...common, errors: s.errors ?? [] }] };
  const expires = String(Math.floor(s.at.getTime() / 1000) + 24 * 3600);
  const conversation = { id: conversationId, origin: { type: 'service' }, ...(s.status === 'sent' ? { expiration_timestamp: expires } : {}) };
  const pricing = { billable: true, pricing_model: 'PMP', category: 'service' };
  return { statuses: [{ ...common, conversation, pricing }] };
}

/** POSTs a body as Meta does; `signature` null leaves the header out, a string replaces the computed one. */
export async function postSigned(callbackUrl: string, appSecret: string, body: string, signature?: string | null): Promise<DeliveryResult> {
  const sigs = hubSignatures(appSecret, body);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'facebookexternalua' };
  if (signature !== null) {
    headers['x-hub-signature-256'] = signature ?? sigs.sha256;
    if (signature === undefined) headers['x-hub-signature'] = sigs.sha1;
  }
  const res = await fetch(callbackUrl, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.text() };
}
