import { z } from '@hono/zod-openapi';
import { canonicalTimeZone, minutesOf } from '../../domain/handling/business-hours.ts';
import { AGENT_ROLES, AVAILABILITIES, ROUTING_STRATEGIES } from '../../domain/model/enums.ts';
import { MIN_PASSWORD_LENGTH } from '../../domain/organization/password-policy.ts';
import { listQuery, rejectNul } from './common.ts';

// Request and response schemas of /agents* and /teams* (Switchboard's own admin resources).

const id = z.guid().openapi({ format: 'uuid' });
const pathId = (name: string) => id.openapi({ param: { name, in: 'path' } });
const name = z.string().trim().min(1).max(200);
const nul = <T>(v: T, ctx: z.RefinementCtx) => rejectNul(v, ctx);

// ---- agents ----

export const AgentParams = z.object({ id: pathId('id') });

const agentFields = {
  name,
  email: z.email().max(320).openapi({ description: 'Unique in the organization, ignoring case.' }),
  role: z.enum(AGENT_ROLES).openapi({ description: 'Console role; default `agent`.' }),
  password: z.string().max(1024).openapi({
    description: `For the console: at least ${MIN_PASSWORD_LENGTH} characters and not a common password (else a 400 saying why). Stored as a scrypt hash, never returned.`,
    minLength: MIN_PASSWORD_LENGTH,
  }),
  availability: z.enum(AVAILABILITIES).openapi({ description: 'Only `online` agents are assigned sessions; default `offline`.' }),
  capacity: z.number().int().min(0).max(100).openapi({ description: 'Most open sessions assigned at once; default 5.' }),
  avatar_url: z.url({ protocol: /^https?$/ }).max(2048).nullable(),
  phone_number: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +14155550123')
    .nullable()
    .openapi({ description: 'Where phone calls handed to this agent are transferred (E.164).' }),
};

export const CreateAgentBody = z
  .strictObject({
    ...agentFields,
    role: agentFields.role.optional(),
    password: agentFields.password.optional(),
    availability: agentFields.availability.optional(),
    capacity: agentFields.capacity.optional(),
    avatar_url: agentFields.avatar_url.optional(),
    phone_number: agentFields.phone_number.optional(),
    create_api_key: z.boolean().optional().openapi({ description: 'Also create an `agent` API key acting as this agent.' }),
  })
  .superRefine(nul)
  .openapi('CreateAgentInput');

export const PatchAgentBody = z
  .strictObject({ ...agentFields, password: agentFields.password.nullable().openapi({ description: 'null removes it.' }) })
  .partial()
  .superRefine(nul)
  .openapi('UpdateAgentInput');

export const AgentDto = z
  .object({
    id: z.uuid(),
    number: z.number().int().openapi({ description: 'Open’s numeric `human_agent_id` in session history.' }),
    name: z.string(),
    email: z.string(),
    role: z.enum(AGENT_ROLES),
    avatar_url: z.string().nullable(),
    phone_number: z.string().nullable(),
    availability: z.enum(AVAILABILITIES),
    capacity: z.number().int(),
    password_set: z.boolean(),
    teams: z.array(z.object({ id: z.uuid(), name: z.string() })),
    open_sessions: z.number().int().openapi({ description: 'Open sessions assigned to the agent now.' }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Agent');

export const CreatedAgentDto = AgentDto.extend({
  api_key: z.string().optional().openapi({ description: 'With `create_api_key`: the secret key, shown only here, once.' }),
}).openapi('CreatedAgent');

export const AgentListQuery = listQuery(20, 100).extend({
  availability: z.enum(AVAILABILITIES).optional(),
  team_id: id.optional().openapi({ description: 'Only members of this team.' }),
});
export const AgentList = z.object({ items: z.array(AgentDto), next: z.string().nullable() }).openapi('ListAgentsOutput');
/** Keyset position in the by-number agent list: the last number seen. */
export const agentCursor = z.tuple([z.number().int().nonnegative()]);

// ---- teams ----

const hhmm = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'Expected HH:MM');
const range = z
  .tuple([hhmm, hhmm])
  .refine(([open, close]) => {
    const from = minutesOf(open);
    const to = minutesOf(close, true);
    return from !== null && to !== null && from < to;
  }, 'A range is [open, close] within one day, open before close ("24:00" closes at midnight)')
  .openapi('OpeningRange', { example: ['09:00', '17:00'] });
const ranges = z.array(range).max(8).optional();
const DAYS = ['0', '1', '2', '3', '4', '5', '6'] as const;

const BusinessHoursInput = z
  .strictObject({
    timezone: z
      .string()
      .max(100)
      .refine((tz) => canonicalTimeZone(tz) !== null, 'Unknown IANA time zone')
      .openapi({ example: 'Europe/Paris' }),
    days: z
      .strictObject(Object.fromEntries(DAYS.map((d) => [d, ranges])) as Record<(typeof DAYS)[number], typeof ranges>)
      .openapi({ description: 'Day of week (0 = Sunday) → opening ranges; a day left out is closed.' }),
  })
  // Stored in the zone's canonical spelling, without the days left out.
  .transform(({ timezone, days }) => ({
    timezone: canonicalTimeZone(timezone)!,
    days: Object.fromEntries(Object.entries(days).filter(([, r]) => r !== undefined)) as Record<string, Array<[string, string]>>,
  }))
  .openapi('BusinessHoursInput', { description: 'null: always open.' });

const BusinessHoursDto = z
  .object({ timezone: z.string(), days: z.record(z.string(), z.array(z.tuple([z.string(), z.string()]))) })
  .openapi('BusinessHours');

export const TeamParams = z.object({ id: pathId('id') });
export const TeamMemberParams = z.object({ id: pathId('id'), agent_id: pathId('agent_id') });

const teamFields = {
  name,
  description: z.string().max(2000).nullable(),
  strategy: z.enum(ROUTING_STRATEGIES).openapi({ description: 'How a member is picked; default `round_robin`.' }),
  business_hours: BusinessHoursInput.nullable(),
};

export const CreateTeamBody = z
  .strictObject({
    name,
    description: teamFields.description.optional(),
    strategy: teamFields.strategy.optional(),
    business_hours: teamFields.business_hours.optional(),
  })
  .superRefine(nul)
  .openapi('CreateTeamInput');

export const PatchTeamBody = z.strictObject(teamFields).partial().superRefine(nul).openapi('UpdateTeamInput');

export const AddMemberBody = z.strictObject({ agent_id: id }).openapi('AddTeamMemberInput');

export const TeamDto = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    strategy: z.enum(ROUTING_STRATEGIES),
    business_hours: BusinessHoursDto.nullable(),
    open_now: z.boolean().openapi({ description: 'Whether the business hours are open at the time of the response.' }),
    members: z.array(
      z.object({ id: z.uuid(), number: z.number().int(), name: z.string(), availability: z.enum(AVAILABILITIES) }),
    ),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Team');

export const TeamListQuery = listQuery(20, 100);
export const TeamList = z.object({ items: z.array(TeamDto), next: z.string().nullable() }).openapi('ListTeamsOutput');
export const DeletedAgent = z.object({ success: z.literal(true) }).openapi('DeleteAgentOutput');
export const DeletedTeam = z.object({ success: z.literal(true) }).openapi('DeleteTeamOutput');
