import type { attachments, contacts, messages, sessions } from '../../db/schema/index.ts';
import { type ContactJson, contactView } from '../contacts/contact-view.ts';
import type { ChannelKind } from '../model/enums.ts';

// Rows → the JSON of Open's ChatSession and HistoryItem (plus Switchboard's additions). Pure: no I/O.

type SessionRow = typeof sessions.$inferSelect;
type ContactRow = typeof contacts.$inferSelect;
type MessageRow = typeof messages.$inferSelect;
type AttachmentRow = typeof attachments.$inferSelect;

/** A session with what its view shows (loaded by session-queries.ts). */
export interface SessionRecord {
  session: SessionRow;
  channel: { id: string; type: ChannelKind };
  contact: ContactRow;
  identities: { channelType: ChannelKind; address: string }[];
  team: { id: string; name: string; description: string | null } | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * Open declares `language`, `assignee_id` and `handoff` as non-nullable: when unset they are left out, not null
 * (a client generated from Open's schema rejects null there).
 */
export function chatSessionView(r: SessionRecord) {
  const s = r.session;
  return {
    id: s.id,
    status: s.status,
    ai_closure_type: s.aiClosureType,
    sentiment: s.sentiment,
    channel: { type: r.channel.type, id: r.channel.id },
    ticket_number: s.ticketNumber,
    assist_mode: s.assistMode,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
    contact: contactView(r.contact, r.identities) satisfies ContactJson,
    ...(s.language !== null ? { language: s.language } : {}),
    ...(s.assigneeId !== null ? { assignee_id: s.assigneeId } : {}),
    custom_data: s.customData ?? {},
    tags: s.tags,
    team: r.team ? { id: r.team.id, name: r.team.name, description: r.team.description } : null,
    ...(s.handoff !== null ? { handoff: s.handoff } : {}),
    summary: s.summary,
    subject: s.subject,
    priority: s.priority,
    handed_off: s.handedOff,
    last_message_at: iso(s.lastMessageAt),
    closed_at: iso(s.closedAt),
    message_count: s.messageCount,
    insights: s.insights ?? null,
  };
}
export type ChatSessionJson = ReturnType<typeof chatSessionView>;

/** A history row with its agent (when one) and attachments. */
export interface HistoryRecord {
  message: MessageRow;
  /** openId: the Open client's own id for an agent it named on send (session-agent.ts); history shows that one. */
  agent: { number: number; openId?: number | null; name: string } | null;
  attachments: AttachmentRow[];
}

type Sender = { type: 'contact' | 'ai' | 'human_agent'; name?: string };

export interface HistoryEvent {
  type: string;
  sender?: Sender;
  content?: { type: 'text'; text: string };
  attachments?: { id: string; name: string; size: number; type: string; url: string | null }[];
  context?: Record<string, unknown>;
  human_agent_id?: number;
}

export interface HistoryItemJson {
  id: string;
  created_at: string;
  event: HistoryEvent;
}

const SENDER_TYPES = { contact: 'contact', ai: 'ai', agent: 'human_agent', system: 'ai' } as const;

/** Event types Open requires a numeric human_agent_id on. */
const AGENT_EVENTS = new Set(['human_agent_comment', 'human_agent_joined', 'human_agent_takeover']);

/** What an agent event reads as when it falls back to a plain message (no agent to name by number). */
const FALLBACK_TEXT: Record<string, string> = {
  human_agent_joined: 'A human agent joined the conversation',
  human_agent_takeover: 'A human agent took over the conversation',
};

/** How an attachment row becomes a URL a client can open (a signed link for stored bytes). */
export type AttachmentUrlOf = (a: AttachmentRow) => string | null;

export function historyItemView(r: HistoryRecord, urlOf: AttachmentUrlOf = (a) => a.url): HistoryItemJson {
  const m = r.message;
  const name = m.senderName ?? r.agent?.name ?? undefined;
  const sender: Sender = { type: SENDER_TYPES[m.sender], ...(name ? { name } : {}) };
  const content = { type: 'text' as const, text: m.text ?? '' };
  const context = contextOf(m);
  const files = r.attachments.map((a) => ({ id: a.id, name: a.filename, size: a.size, type: a.contentType, url: urlOf(a) }));
  const extras = {
    ...(files.length ? { attachments: files } : {}),
    ...(context ? { context } : {}),
  };
  const item = (event: HistoryEvent): HistoryItemJson => ({ id: m.id, created_at: m.createdAt.toISOString(), event });

  if (m.eventType === 'message') return item({ type: 'message', sender, content, ...extras });
  if (AGENT_EVENTS.has(m.eventType)) {
    if (r.agent) {
      const withContent = m.eventType === 'human_agent_comment' || m.text ? { content } : {};
      // The agent is who acted (joined, took over, commented), whichever process wrote the row.
      const agentSender: Sender = { type: 'human_agent', name: r.agent.name };
      return item({ type: m.eventType, human_agent_id: r.agent.openId ?? r.agent.number, sender: agentSender, ...withContent, ...extras });
    }
    // Open requires a numeric human_agent_id on these: without an agent, say it as a message from a human agent.
    const text = m.eventType === 'human_agent_comment' ? content.text : (m.text ?? FALLBACK_TEXT[m.eventType]!);
    const fallbackContext = { ...context, event_type: m.eventType, ...(m.private ? { private: true } : {}) };
    return item({
      type: 'message',
      sender: { ...sender, type: 'human_agent' },
      content: { type: 'text', text },
      ...extras,
      context: fallbackContext,
    });
  }
  // handoff, ai_resolved_issue, status_changed (Switchboard's own).
  return item({ type: m.eventType, ...(m.text ? { content } : {}), ...extras });
}

/**
 * The stored context, plus the delivery state of outbound messages and a customer's HTML (email), which was
 * sanitized before it was stored; consoles show it only in a sandboxed frame.
 */
function contextOf(m: MessageRow): Record<string, unknown> | undefined {
  const delivery =
    m.direction === 'out' && m.eventType === 'message' && !m.private
      ? { delivery: { channel_message_id: m.externalId, status: m.deliveryStatus, error: m.error } }
      : {};
  const html = m.direction === 'in' && m.html ? { html: m.html } : {};
  const merged = { ...(m.context ?? {}), ...delivery, ...html };
  return Object.keys(merged).length ? merged : undefined;
}
