import type { GraphErrorSpec } from './wire.ts';

// What the Graph API checks in a POST /{phone_number_id}/messages body before accepting it, with the error Meta
// answers (400, code 100, "(#100) …"). Limits: text 4096 characters, captions 1024.

const MEDIA = ['image', 'audio', 'video', 'document', 'sticker'];
const TYPES = [...MEDIA, 'text', 'template', 'location', 'interactive', 'contacts', 'reaction'];

const invalid = (message: string, details?: string): GraphErrorSpec => ({
  status: 400,
  code: 100,
  message: `(#100) ${message}`,
  ...(details ? { details } : {}),
});

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkMedia(type: string, media: Record<string, unknown>): GraphErrorSpec | null {
  const { link, id, caption } = media;
  if ((link === undefined) === (id === undefined)) return invalid(`Param ${type} must have exactly one of link or id`);
  if (link !== undefined && (typeof link !== 'string' || !/^https?:\/\/\S+$/.test(link))) {
    return invalid(`Param ${type}['link'] is not a valid URI.`);
  }
  if (caption !== undefined && (typeof caption !== 'string' || caption.length > 1024)) {
    return invalid(`Param ${type}['caption'] must be at most 1024 characters long.`);
  }
  return null;
}

/** null when Meta would accept the body; the Graph error it would answer otherwise. */
export function checkOutbound(body: unknown): GraphErrorSpec | null {
  if (!isObject(body)) return invalid('Invalid parameter', 'The request body must be a JSON object');
  if (body.messaging_product !== 'whatsapp') return invalid('The parameter messaging_product is required.');
  if (body.recipient_type !== undefined && body.recipient_type !== 'individual' && body.recipient_type !== 'group') {
    return invalid('Invalid parameter', 'recipient_type must be individual or group');
  }
  if (typeof body.to !== 'string' || !/^\+?\d{5,20}$/.test(body.to)) return invalid('Invalid parameter', "Param 'to' is not a valid phone number");
  const type = body.type === undefined ? 'text' : body.type;
  if (typeof type !== 'string' || !TYPES.includes(type)) return invalid(`Param type must be one of {${TYPES.join(', ')}}`);
  const content = body[type];
  if (!isObject(content)) return invalid(`The parameter ${type} is required.`);

  if (type === 'text') {
    if (typeof content.body !== 'string' || !content.body) return invalid("The parameter text['body'] is required.");
    if (content.body.length > 4096) return invalid("Param text['body'] must be at most 4096 characters long.");
  }
  if (MEDIA.includes(type)) return checkMedia(type, content);
  if (type === 'template') {
    if (typeof content.name !== 'string' || !content.name) return invalid("The parameter template['name'] is required.");
    const lang = content.language;
    if (!isObject(lang) || typeof lang.code !== 'string') return invalid("The parameter template['language']['code'] is required.");
    if (content.components !== undefined && !Array.isArray(content.components)) return invalid("Param template['components'] must be an array.");
  }
  return null;
}
