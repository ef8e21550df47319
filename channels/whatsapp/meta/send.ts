import type { AdapterDeps } from '../../../src/domain/model/adapter.ts';
import type { AttachmentRef, OutboundMessage, SendReceipt } from '../../../src/domain/model/messages.ts';
import { DeliveryError } from '../../../src/errors.ts';
import { graphUrl, type MetaConfig } from './config.ts';
import { deliveryErrorFrom } from './send-error.ts';
import { WINDOW_CLOSED_CODE, WINDOW_CLOSED_ERROR } from './status.ts';

// A reply → Graph API messages: the text, then one message per attachment (by link: Meta downloads it), or the
// configured template when the 24-hour window has closed. The receipt carries the first message's wamid, which
// statuses[] webhooks later refer to.

type Payload = Record<string, unknown>;

function mediaPayload(att: AttachmentRef & { url: string }): Payload {
  const mime = att.contentType.toLowerCase();
  const type = (['image', 'audio', 'video'] as const).find((t) => mime.startsWith(`${t}/`)) ?? 'document';
  return { type, [type]: type === 'document' ? { link: att.url, filename: att.filename } : { link: att.url } };
}

export function buildPayloads(config: MetaConfig, msg: OutboundMessage): Payload[] {
  if (msg.windowClosed) {
    const template = config.fallback_template;
    if (!template) throw new DeliveryError(WINDOW_CLOSED_ERROR, 'never', { providerCode: String(WINDOW_CLOSED_CODE) });
    const components = template.components ? { components: template.components } : {};
    return [{ type: 'template', template: { name: template.name, language: { code: template.language }, ...components } }];
  }
  const payloads: Payload[] = [];
  if (msg.text.trim()) payloads.push({ type: 'text', text: { preview_url: false, body: msg.text } });
  for (const att of msg.attachments) if (att.url) payloads.push(mediaPayload({ ...att, url: att.url }));
  if (!payloads.length) throw new DeliveryError('Nothing to send: no text and no attachment with a URL', 'never');
  return payloads;
}

export function createSender(config: MetaConfig, deps: AdapterDeps) {
  const endpoint = graphUrl(config, `${config.phone_number_id}/messages`);

  // biz_opaque_callback_data (our message id) comes back in the message's status webhooks, so a reply sent by a
  // process that died before recording it is found sent (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages).
  async function post(to: string, ourId: string, payload: Payload, signal: AbortSignal): Promise<string> {
    const body = JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', to, biz_opaque_callback_data: ourId, ...payload });
    let res: Response;
    let text: string;
    try {
      res = await deps.fetch(endpoint, {
        method: 'POST',
        headers: { authorization: `Bearer ${config.access_token}`, 'content-type': 'application/json' },
        body,
        signal,
        redirect: 'error',
      });
      text = await res.text();
    } catch (err) {
      const why = signal.aborted ? 'send aborted' : `WhatsApp API unreachable: ${(err as Error).message}`;
      throw new DeliveryError(why, 'later', { cause: err });
    }
    if (!res.ok) throw deliveryErrorFrom(res.status, res.headers, text, deps.now());
    const id = messageIdOf(text);
    // Accepted but unreadable: retrying could deliver twice, so this is not retried.
    if (!id) throw new DeliveryError(`WhatsApp API answered ${res.status} without a message id`, 'never');
    return id;
  }

  return async function send(msg: OutboundMessage, signal: AbortSignal): Promise<SendReceipt> {
    const to = msg.to.address.replace(/\D/g, '');
    if (!to) throw new DeliveryError(`Recipient "${msg.to.address}" has no phone number`, 'never');
    const payloads = buildPayloads(config, msg);
    const ids: string[] = [];
    for (const payload of payloads) ids.push(await post(to, msg.messageId, payload, signal));
    return { externalId: ids[0]!, status: 'sent' };
  };
}

function messageIdOf(text: string): string | undefined {
  try {
    const id: unknown = (JSON.parse(text) as { messages?: Array<{ id?: unknown }> }).messages?.[0]?.id;
    return typeof id === 'string' && id ? id : undefined;
  } catch {
    return undefined;
  }
}
