import { z } from '@hono/zod-openapi';
import { AI_CLOSURE_TYPES, CHANNEL_KINDS, type ChannelKind, PRIORITIES, SENTIMENTS, SESSION_STATUSES } from '../../domain/model/enums.ts';
import { ContactDto, contactInput, customData, isoDate, listQuery, rejectNul } from './common.ts';
import { MAX_TAGS } from '../../domain/sessions/session-tags.ts';
import { tolerantObject } from './tolerant-object.ts';

// Request and response schemas of /chat/sessions*: Open's fields and names, plus Switchboard's additions.

/** Any 8-4-4-4-12 hex id (what Postgres accepts), so a malformed id is a 400 and never reaches the database. */
const id = z.guid().openapi({ format: 'uuid' });
const status = z.enum(SESSION_STATUSES);
const channelType = z.enum(CHANNEL_KINDS);
/**
 * Open's `channel_type` enum (its 2024 document's, plus `instagram` and `messenger` from its newest) and Switchboard's
 * own kinds: accepted wherever Open accepts them. A kind Switchboard has no adapter for matches no session.
 */
export const OPEN_ONLY_CHANNEL_TYPES = ['web_voice', 'instagram', 'messenger'] as const;
const openChannelType = z.enum([...CHANNEL_KINDS, ...OPEN_ONLY_CHANNEL_TYPES]);
export type OpenChannelType = z.infer<typeof openChannelType>;

/** Open's channel types → Switchboard's kinds; null when every type asked for is one Switchboard has no channels of. */
export function channelKindsOf(types: readonly OpenChannelType[] | undefined): ChannelKind[] | undefined | null {
  if (!types?.length) return undefined;
  const kinds = types.filter((t): t is ChannelKind => (CHANNEL_KINDS as readonly string[]).includes(t));
  return kinds.length > 0 ? kinds : null;
}
const priority = z.enum(PRIORITIES);
const search = z.string().min(1).max(200);
const boolString = z.enum(['true', 'false']).transform((v) => v === 'true');
/** A session tag as given; stored normalized (lower-case, trimmed: src/domain/sessions/session-tags.ts). No commas: list filters are comma-separated. */
export const tag = z.string().trim().min(1).max(50).regex(/^[^,\u0000-\u001f]+$/, 'A tag is 1–50 characters, without commas or control characters');
const tagList = z.array(tag).max(MAX_TAGS);

export const SessionParams = z.object({ session_id: id.openapi({ param: { name: 'session_id', in: 'path' } }) });

export const CreateSessionBody = tolerantObject({
    contact_id: id.optional(),
    contact: contactInput.optional().openapi({ description: 'Found by email or phone, else created; custom_data merged.' }),
    channel: tolerantObject({ type: openChannelType }).optional().openapi({ description: 'Defaults to `{ "type": "api" }`.' }),
    custom_data: customData.optional(),
    verified: z.boolean().optional(),
  })
  .superRefine((v, ctx) => rejectNul(v, ctx))
  .openapi('CreateChatSessionInput');

export const CreatedSession = z.object({ id: z.uuid() }).openapi('CreateChatSessionOutput');

export const ChatSessionDto = z
  .object({
    id: z.uuid(),
    status,
    ai_closure_type: z.enum(AI_CLOSURE_TYPES).nullable(),
    sentiment: z.enum(SENTIMENTS).nullable(),
    channel: z.object({ type: channelType, id: z.uuid() }),
    ticket_number: z.number().int(),
    assist_mode: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
    contact: ContactDto,
    language: z.string().optional().openapi({ description: 'Absent when unknown.' }),
    assignee_id: z.uuid().optional().openapi({ description: 'Absent when unassigned.' }),
    custom_data: customData,
    tags: z.array(z.string()).openapi({ description: 'Switchboard addition: the session’s tags, lower-case and sorted.' }),
    team: z.object({ id: z.uuid(), name: z.string(), description: z.string().nullable() }).nullable(),
    handoff: z
      .object({ summary: z.string(), sentiment: z.string().optional() })
      .optional()
      .openapi({ description: 'Present if the conversation was handed off to a human.' }),
    summary: z.string().nullable(),
    subject: z.string().nullable(),
    priority,
    handed_off: z.boolean(),
    last_message_at: z.string().nullable(),
    closed_at: z.string().nullable(),
    message_count: z.number().int(),
    insights: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi('ChatSession');

export const SessionListQuery = listQuery(20, 100).extend({
  handed_off: boolString.optional(),
  status: status.optional(),
  channel_type: openChannelType.optional(),
  created_after: isoDate.optional(),
  created_before: isoDate.optional(),
  updated_after: isoDate.optional(),
  updated_before: isoDate.optional(),
  contact_id: id.optional(),
  assignee_id: id.optional(),
  team_id: id.optional(),
  priority: priority.optional().openapi({ description: 'Switchboard addition: only sessions of this priority.' }),
  unassigned: boolString.optional().openapi({
    description: 'Switchboard addition: `true` lists sessions without an assignee, `false` those with one.',
  }),
  q: search.optional().openapi({ description: 'Search subject, contact name/email, message text.' }),
  tags: z
    .string()
    .max(2000)
    .transform((v, ctx) => {
      const parsed = tagList.safeParse(v.split(',').filter((t) => t.trim() !== ''));
      if (parsed.success) return parsed.data;
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
      return z.NEVER;
    })
    .optional()
    .openapi({ type: 'string', description: 'Switchboard addition: comma-separated; sessions with any of these tags.' }),
}).superRefine((v, ctx) => rejectNul(v, ctx));

export const SessionList = z
  .object({ items: z.array(ChatSessionDto), next: z.string().nullable() })
  .openapi('ListChatSessionsOutput');

const ids = z.array(id).max(100);
export const FilterBody = tolerantObject({
    filters: tolerantObject({
        status: z.array(status).max(10).optional(),
        channel_types: z.array(openChannelType).max(10).optional(),
        sentiment: z.array(z.enum(SENTIMENTS)).max(10).optional(),
        priority: z.array(priority).max(10).optional(),
        assignee_ids: ids.optional(),
        unassigned: z.boolean().optional().openapi({ description: '`true`: no assignee; `false`: some assignee.' }),
        team_ids: ids.optional(),
        contact_ids: ids.optional(),
        created_after: isoDate.optional(),
        created_before: isoDate.optional(),
        custom_data: customData.optional().openapi({ description: 'Sessions whose custom_data has all these pairs.' }),
        q: search.optional().openapi({ description: 'Search subject, contact name/email, message text.' }),
        tags: tagList.optional().openapi({ description: 'Sessions with any of these tags.' }),
      })
      .default({}),
    sort_by: z.enum(['last_message_at', 'created_at']).default('last_message_at'),
    sort_order: z.enum(['asc', 'desc']).default('desc'),
    page: z.int().min(1).max(100_000).default(1),
    limit: z.int().min(1).max(100).default(25),
  })
  .superRefine((v, ctx) => rejectNul(v, ctx))
  .openapi('FilterChatSessionsInput');

export const FilterResult = z
  .object({ data: z.array(ChatSessionDto), page: z.int(), limit: z.int(), has_next: z.boolean(), has_previous: z.boolean() })
  .openapi('FilterChatSessionsOutput');

export const PatchSessionBody = tolerantObject({
    status: status.optional(),
    generate_summary_and_sentiment_on_resolve: z.boolean().optional().openapi({
      description: '`false`: this close gets no summary and sentiment (insights are still computed). Default true.',
    }),
    reflect_status_change_for_integration: z.boolean().optional().openapi({
      description: '`false`: the status change is not sent to webhooks (the caller is the integration it came from). Default true.',
    }),
    custom_data: customData.optional(),
    assignee_id: id.nullable().optional(),
    team_id: id.nullable().optional(),
    priority: priority.optional(),
    handed_off: z.boolean().optional().openapi({ description: '`false` hands the session back to the AI.' }),
    tags: tagList.optional().openapi({ description: 'Switchboard addition: replaces the session’s tags.' }),
    session_closed_payload: z.record(z.string(), z.unknown()).optional().openapi({
      description: 'Stored on the session when this PATCH closes it, and carried in the `conversation.closed` event.',
    }),
  })
  .superRefine((v, ctx) => rejectNul(v, ctx))
  .openapi('UpdateChatSessionInput');

const attachment = tolerantObject({
    name: z.string().min(1).max(255),
    url: z.url({ protocol: /^https?$/ }).max(2048).optional(),
    base64: z.base64().max(20_000_000).optional(),
    mime_type: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, 'Expected a MIME type like image/png'),
  })
  .refine((a) => a.url !== undefined || a.base64 !== undefined, { message: 'Each attachment needs url or base64', path: ['url'] });

export const SendBody = tolerantObject({
    sender: z.enum(['contact', 'agent']),
    message: tolerantObject({
      type: z.literal('text').default('text'),
      text: z.string().max(32_000).default(''),
      attachments: z.array(attachment).max(20).default([]),
    }),
    contact: contactInput.optional(),
    custom_data: customData.optional(),
    agent: tolerantObject({
        id: z.union([id, z.int().positive()]).optional(),
        name: z.string().min(1).max(200).optional(),
        avatar_url: z.url({ protocol: /^https?$/ }).optional(),
      })
      .optional(),
    should_take_over_session_from_ai: z.boolean().default(false),
    private: z.boolean().default(false).openapi({ description: 'An agent’s internal note: kept in history, never sent.' }),
  })
  .superRefine((b, ctx) => {
    rejectNul(b, ctx);
    if (!b.message.text.trim() && b.message.attachments.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['message', 'text'], message: 'A message needs text or attachments' });
    }
    for (const key of ['private', 'should_take_over_session_from_ai'] as const) {
      if (b[key] && b.sender !== 'agent') ctx.addIssue({ code: 'custom', path: [key], message: 'Only for sender "agent"' });
    }
  })
  .openapi('SendMessageInput');

export const SendResult = z
  .object({ success: z.literal(true), data: z.object({ message: z.object({ id: z.uuid() }) }) })
  .openapi('SendMessageOutput');

export const HistoryQuery = listQuery(50, 100).extend({
  include_status_changes: boolString.optional().openapi({
    description: 'Also list Switchboard’s own event types, unknown to Open clients: `status_changed`, `action_called`, `action_completed`.',
  }),
});

const HistoryItemDto = z
  .object({
    id: z.uuid(),
    created_at: z.string(),
    event: z.object({
      type: z.string(),
      sender: z.object({ type: z.enum(['contact', 'ai', 'human_agent']), name: z.string().optional() }).optional(),
      content: z.object({ type: z.literal('text'), text: z.string() }).optional(),
      attachments: z
        .array(z.object({ id: z.uuid(), name: z.string(), size: z.number(), type: z.string(), url: z.string().nullable() }))
        .optional(),
      context: z.record(z.string(), z.unknown()).optional(),
      human_agent_id: z.number().optional(),
    }),
  })
  .openapi('HistoryItem');

export const HistoryList = z.object({ items: z.array(HistoryItemDto), next: z.string().nullable() }).openapi('ListChatHistoryOutput');

/** POST /chat/sessions/{id}/tags. */
export const AddTagsBody = z.strictObject({ tags: tagList.min(1) }).openapi('AddSessionTagsInput');
export const TagParams = SessionParams.extend({ tag: tag.openapi({ param: { name: 'tag', in: 'path' } }) });
export const SessionTagsDto = z.object({ tags: z.array(z.string()) }).openapi('SessionTags');

export const sessionTags = ['Chat Sessions'];
