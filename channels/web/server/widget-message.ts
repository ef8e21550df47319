import { attachmentUrl } from '../../../src/domain/files/attachment-urls.ts';
import type { FeedRow } from './feed.ts';

// What the widget shows for one feed row (docs/web-chat.md, WidgetMessage). Text is sent as data: the widget
// renders it with textContent, never as HTML.

export interface WidgetMessage {
  id: string;
  seq: number;
  session_id: string;
  created_at: string;
  client_msg_id: string | null;
  event: 'message' | 'agent_joined' | 'closed' | 'reopened';
  sender: { type: 'contact' | 'ai' | 'human_agent' | 'system'; name: string | null };
  text: string | null;
  attachments: { id: string; name: string; type: string; size: number; url: string | null }[];
  /** Present (true) on the question asking for a rating: the widget draws the 1–5 row under it (`rate` frame). */
  rating?: true;
}

const SENDER = { contact: 'contact', ai: 'ai', agent: 'human_agent', system: 'system' } as const;

/** A visitor's message is stored with external id `<contact id>/<client_msg_id>` (unique per channel). */
export const visitorExternalId = (contactId: string, clientMsgId: string) => `${contactId}/${clientMsgId}`;

const isRatingQuestion = (context: unknown) => (context as { csat?: { style?: string } } | null)?.csat?.style === 'rating-row';

export function widgetMessage(row: FeedRow, opts: { aiName: string; publicUrl: string; secret: string }): WidgetMessage {
  const sender = SENDER[row.sender];
  const name = sender === 'contact' ? null : sender === 'ai' ? (row.senderName ?? opts.aiName) : (row.senderName ?? row.agentName ?? null);
  const clientMsgId = row.sender === 'contact' && row.externalId?.includes('/') ? row.externalId.split('/')[1]! : null;
  let event: WidgetMessage['event'] = 'message';
  let text = row.text;
  if (row.eventType === 'human_agent_joined') {
    event = 'agent_joined';
    text = `${name ?? 'An agent'} joined the conversation`;
  } else if (row.eventType === 'status_changed') {
    const reopened = (row.context as { to?: string } | null)?.to === 'open';
    event = reopened ? 'reopened' : 'closed';
    text = reopened ? 'Conversation reopened' : 'Conversation closed';
  }
  return {
    id: row.id,
    seq: row.seq,
    session_id: row.sessionId,
    created_at: row.createdAt.toISOString(),
    client_msg_id: clientMsgId,
    event,
    sender: { type: event === 'message' ? sender : 'system', name: event === 'message' ? name : null },
    text,
    attachments: row.files.map((f) => ({
      id: f.id,
      name: f.filename,
      type: f.contentType,
      size: f.size,
      url: attachmentUrl(f, opts.publicUrl, opts.secret),
    })),
    ...(isRatingQuestion(row.context) ? { rating: true as const } : {}),
  };
}
