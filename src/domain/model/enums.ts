// Every enum lives once here as an `as const` tuple: it feeds the pgEnum, the zod schema and the registry keys.

/** Channel types, named as in Open's API (`phone_voice`), plus `slack`. */
export const CHANNEL_KINDS = ['web', 'email', 'phone_voice', 'sms', 'whatsapp', 'slack', 'api'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];
/** Other names the admin API accepts for a kind: `phone`, what an admin setting up a Twilio number is likely to type. */
export const CHANNEL_KIND_ALIASES: Readonly<Record<string, ChannelKind>> = { phone: 'phone_voice' };

export const API_KEY_ROLES = ['admin', 'agent', 'widget'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

export const SESSION_STATUSES = ['open', 'closed_resolved', 'closed_unresolved'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export const AI_CLOSURE_TYPES = ['assumed_resolved', 'handed_off', 'resolved'] as const;
export type AiClosureType = (typeof AI_CLOSURE_TYPES)[number];

export const SENTIMENTS = ['angry', 'neutral', 'happy'] as const;
export type Sentiment = (typeof SENTIMENTS)[number];

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const HANDLERS = ['ai', 'human'] as const;
export type Handler = (typeof HANDLERS)[number];

export const MESSAGE_DIRECTIONS = ['in', 'out'] as const;
export type MessageDirection = (typeof MESSAGE_DIRECTIONS)[number];

export const MESSAGE_SENDERS = ['contact', 'ai', 'agent', 'system'] as const;
export type MessageSender = (typeof MESSAGE_SENDERS)[number];

export const MESSAGE_TYPES = ['text', 'file', 'event'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** History event types: Open's, plus Switchboard's `status_changed` and a system action's call and result. */
export const HISTORY_EVENT_TYPES = [
  'message',
  'handoff',
  'ai_resolved_issue',
  'human_agent_comment',
  'human_agent_joined',
  'human_agent_takeover',
  'status_changed',
  'action_called',
  'action_completed',
] as const;
export type HistoryEventType = (typeof HISTORY_EVENT_TYPES)[number];

/** The history event types that are Switchboard's own: Open's schema does not allow them, so Open clients must not get them unasked. */
export const SWITCHBOARD_HISTORY_EVENT_TYPES = ['status_changed', 'action_called', 'action_completed'] as const satisfies readonly HistoryEventType[];

export const DELIVERY_STATUSES = ['queued', 'sent', 'delivered', 'read', 'undelivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Whether an inbound message still needs the turn worker. */
export const TURN_STATES = ['none', 'pending', 'done'] as const;
export type TurnState = (typeof TURN_STATES)[number];

export const AGENT_ROLES = ['agent', 'admin'] as const;
export type AgentRole = (typeof AGENT_ROLES)[number];

export const AVAILABILITIES = ['online', 'away', 'offline'] as const;
export type Availability = (typeof AVAILABILITIES)[number];

export const ROUTING_STRATEGIES = ['round_robin', 'least_busy'] as const;
export type RoutingStrategy = (typeof ROUTING_STRATEGIES)[number];
