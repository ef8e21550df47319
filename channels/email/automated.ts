import type { InboundMessage } from '../../src/domain/model/messages.ts';
import { splitAddress } from './config.ts';
import { headerValue, headerValues } from './headers.ts';
import type { ParsedMail } from 'mailparser';

// Mail no person wrote to us is stored but never answered (docs/email.md "Loops and noise", RFC 3834, RFC 3464):
// answering an auto-responder or a bounce is how mail loops start. Checked strongest signal first: our own mail
// coming back, then bounces, then explicit auto-replies, then lists, then the weaker hints (Precedence, other
// Auto-Submitted values, a null sender, which RFC 3834 also asks of auto-responders).

export type Automated = NonNullable<InboundMessage['automated']>;

export interface AutomatedInput {
  lines: ParsedMail['headerLines'];
  fromAddress: string;
  subject: string;
  messageId: string | undefined;
  hasInReplyTo: boolean;
  contentType: string;
  supportAddress: string;
  /** SMTP MAIL FROM; '' = the null sender. */
  mailFrom: string | undefined;
}

const AUTO_REPLY_SUBJECT =
  /^\s*(Automatic reply|Auto reply|Autoreply|Automatic response|Auto response|Out of (the )?Office|OOF|OOO|Abwesenheitsnotiz|Automatische Antwort|Réponse automatique|Respuesta automática|Risposta automatica)\b\s*:?/i;

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** Message-IDs made by our send: `<uuid.token@our-domain>`. */
export function isOwnMessageId(id: string | undefined, supportAddress: string): boolean {
  if (!id) return false;
  const domain = splitAddress(supportAddress)[1];
  const escaped = domain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^<?${UUID}\\.[^@\\s]+@${escaped}>?$`, 'i').test(id.trim());
}

export function isOwnMail(input: AutomatedInput): boolean {
  if (headerValue(input.lines, 'x-switchboard-id') !== undefined) return true;
  // From our support address (or a plus-variant of it) to us: nobody but us writes as that address.
  const [local, domain] = splitAddress(input.supportAddress);
  const [fromLocal, fromDomain] = splitAddress(input.fromAddress);
  if (fromDomain === domain && fromLocal.split('+')[0] === local) return true;
  if (headerValues(input.lines, 'x-loop').some((v) => v.replace(/^<|>$/g, '').trim().toLowerCase() === input.supportAddress)) return true;
  return isOwnMessageId(input.messageId, input.supportAddress);
}

/** Unmistakable bounces; the null sender alone is weaker (auto-replies use it too). */
export function isBounce(input: AutomatedInput): boolean {
  if (/^multipart\/report\b/i.test(input.contentType)) return true;
  if (/^(mailer-daemon|postmaster)@/i.test(input.fromAddress)) return true;
  return headerValue(input.lines, 'x-failed-recipients') !== undefined;
}

function isExplicitAutoReply(input: AutomatedInput): boolean {
  const submitted = headerValue(input.lines, 'auto-submitted')?.toLowerCase();
  if (submitted?.startsWith('auto-replied')) return true;
  if (['x-autoreply', 'x-autorespond', 'x-autoresponder'].some((h) => headerValue(input.lines, h) !== undefined)) return true;
  // Exchange: "do not auto-answer this"; All covers OOF and AutoReply.
  const suppress = headerValue(input.lines, 'x-auto-response-suppress') ?? '';
  if (/\b(all|oof|autoreply)\b/i.test(suppress)) return true;
  if (AUTO_REPLY_SUBJECT.test(input.subject)) return true;
  return /^\s*Auto\s*:/i.test(input.subject) && input.hasInReplyTo;
}

function isWeakAutomated(input: AutomatedInput): boolean {
  const submitted = headerValue(input.lines, 'auto-submitted')?.trim().toLowerCase();
  if (submitted !== undefined && submitted !== '' && !submitted.startsWith('no')) return true;
  const precedence = headerValue(input.lines, 'precedence')?.trim().toLowerCase() ?? '';
  return /^(bulk|junk|list|auto_reply)\b/.test(precedence);
}

function hasNullSender(input: AutomatedInput): boolean {
  if (input.mailFrom === '') return true;
  return headerValues(input.lines, 'return-path').some((v) => /^<\s*>$/.test(v.trim()));
}

export function classifyAutomated(input: AutomatedInput): Automated | undefined {
  if (isOwnMail(input)) return 'own';
  if (isBounce(input)) return 'bounce';
  if (isExplicitAutoReply(input)) return 'auto_reply';
  if (headerValue(input.lines, 'list-id') !== undefined || headerValue(input.lines, 'list-unsubscribe') !== undefined) return 'list';
  if (isWeakAutomated(input)) return 'auto_reply';
  if (hasNullSender(input)) return 'bounce';
  return undefined;
}
