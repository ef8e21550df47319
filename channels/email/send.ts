import type { AdapterDeps } from '../../src/domain/model/adapter.ts';
import type { OutboundMessage, SendReceipt } from '../../src/domain/model/messages.ts';
import { DeliveryError } from '../../src/errors.ts';
import type { EmailConfig } from './config.ts';
import { markdownToHtml } from './markdown-html.ts';
import { loadAttachments } from './outbound-attachments.ts';
import { replyMessageId, plusAddress, replyReferences, replySubject, SAFE_ID, SAFE_TOKEN, verpAddress } from './outbound-headers.ts';
import { smtpDeliveryError } from './send-errors.ts';
import { createSmtpTransport, type SmtpTransport } from './smtp-transport.ts';

// A reply is one SMTP submission (docs/email.md "Replies"). The Message-ID is made here, before sending, so the
// receipt names the mail even when the relay's answer is lost; AI and system replies say they are automatic
// (Auto-Submitted) so well-behaved responders do not answer them, and every reply carries X-Loop and our id so
// that it is recognized if it ever comes back in.

function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new DeliveryError('email: send aborted', 'later'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new DeliveryError('email: send aborted', 'later'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export function createEmailSender(config: EmailConfig, deps: AdapterDeps) {
  let transport: SmtpTransport | undefined;
  return async function send(msg: OutboundMessage, signal: AbortSignal): Promise<SendReceipt> {
    const threading = msg.threading;
    if (!threading) throw new DeliveryError('email: reply without threading (reply token, parent ids)', 'never');
    if (!SAFE_TOKEN.test(threading.replyToken)) throw new DeliveryError('email: reply token is not address-safe', 'never');
    if (!SAFE_ID.test(msg.messageId)) throw new DeliveryError('email: message id is not address-safe (VERP)', 'never');
    if (!/^[^\s@<>]+@[^\s@<>]+$/.test(msg.to.address)) throw new DeliveryError(`email: ${msg.to.address} is not an email address`, 'never');

    const attachments = await loadAttachments(deps, msg.attachments, config.max_message_bytes, signal);
    const messageId = replyMessageId(config.address, msg.messageId, threading.replyToken);
    const automatic = msg.senderType === 'ai' || msg.senderType === 'system';
    const references = replyReferences(threading.references, threading.inReplyTo);
    const inReplyTo = threading.inReplyTo?.trim().replace(/^<|>$/g, '');
    transport ??= createSmtpTransport(config);
    try {
      await abortable(
        transport.sendMail({
          messageId: `<${messageId}>`,
          from: { name: config.name, address: config.address },
          to: msg.to.name ? { name: msg.to.name, address: msg.to.address } : msg.to.address,
          replyTo: plusAddress(config.address, threading.replyToken),
          subject: replySubject(msg.subject),
          ...(inReplyTo ? { inReplyTo: `<${inReplyTo}>` } : {}),
          ...(references.length ? { references: references.map((id) => `<${id}>`) } : {}),
          headers: {
            'X-Switchboard-Id': msg.messageId,
            'X-Loop': config.address,
            ...(automatic ? { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' } : {}),
          },
          text: msg.text,
          html: markdownToHtml(msg.text),
          attachments,
          envelope: { from: verpAddress(config.address, msg.messageId), to: [msg.to.address] },
        }),
        signal,
      );
    } catch (err) {
      throw smtpDeliveryError(err);
    }
    return { externalId: messageId, status: 'sent' };
  };
}
