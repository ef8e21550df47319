import { z } from '@hono/zod-openapi';
import { CHANNEL_KIND_ALIASES, CHANNEL_KINDS, type ChannelKind } from '../../domain/model/enums.ts';
import { listQuery } from './common.ts';

// Request and response schemas of /channels* (Switchboard's own admin resource).

const id = z.guid().openapi({ format: 'uuid' });
const name = z.string().trim().min(1).max(200);
/** Free-form here: the adapter module's configSchema is the judge (src/domain/channels/channel-config.ts). */
const config = z.record(z.string().max(200), z.unknown());

export const ChannelParams = z.object({ id: id.openapi({ param: { name: 'id', in: 'path' } }) });

/** A kind, or one of its aliases (src/domain/model/enums.ts: `phone` for Open's `phone_voice`). */
const aliases = Object.keys(CHANNEL_KIND_ALIASES);
const channelType = z
  .enum([...CHANNEL_KINDS, ...aliases] as [string, ...string[]])
  .transform((t): ChannelKind => CHANNEL_KIND_ALIASES[t] ?? (t as ChannelKind))
  .openapi({ description: `Channel kind; also accepted: ${aliases.map((a) => `\`${a}\` for \`${CHANNEL_KIND_ALIASES[a]}\``).join(', ')}.` });

export const CreateChannelBody = z
  .strictObject({
    type: channelType,
    provider: z.string().min(1).max(50).optional().openapi({ description: 'One of the adapter’s providers; default its first.' }),
    name,
    config: config.default({}).openapi({ description: 'Validated by the adapter; secret fields are stored encrypted.' }),
  })
  .openapi('CreateChannelInput');

export const PatchChannelBody = z
  .strictObject({
    name: name.optional(),
    enabled: z.boolean().optional(),
    csat_enabled: z.boolean().optional().openapi({ description: 'Ask for a 1–5 rating when a session is resolved (where the channel can).' }),
    config: config.optional().openapi({
      description: 'Merged into the stored config key by key (null removes a key); secrets need not be sent again.',
    }),
  })
  .openapi('UpdateChannelInput');

export const ChannelDto = z
  .object({
    id: z.uuid(),
    type: z.enum(CHANNEL_KINDS),
    provider: z.string(),
    name: z.string(),
    public_id: z.string().openapi({ description: 'Used in web chat URLs: /widget/{public_id}/…' }),
    enabled: z.boolean(),
    csat_enabled: z.boolean(),
    csat: z.enum(['digits', 'buttons', 'links', 'rating-row']).nullable().openapi({
      description: 'How this channel asks for a rating: a 1–5 reply, buttons (or a reply), five links, the web chat’s rating row; null: never.',
    }),
    config: z.record(z.string(), z.unknown()).openapi({ description: 'Without secret fields.' }),
    secrets_set: z.array(z.string()).openapi({ description: 'Names of the secret fields that are set.' }),
    webhook_urls: z.record(z.string(), z.string()).openapi({ description: 'To paste into the provider’s console.' }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Channel');

export const ChannelListQuery = listQuery(20, 100).extend({ type: z.enum(CHANNEL_KINDS).optional() });
export const ChannelList = z.object({ items: z.array(ChannelDto), next: z.string().nullable() }).openapi('ListChannelsOutput');

export const ChannelTestResult = z
  .object({ ok: z.boolean(), detail: z.string() })
  .openapi('ChannelTestOutput');

export const DeletedChannel = z.object({ success: z.literal(true) }).openapi('DeleteChannelOutput');
