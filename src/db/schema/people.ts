import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, primaryKey, serial, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, updatedAt } from './columns.ts';
import { agentRole, availability, routingStrategy } from './enums.ts';
import { organizations } from './organizations.ts';

export const agents = pgTable(
  'agents',
  {
    id: id(),
    /** Open's history reports `human_agent_id` as a number: this is it. */
    number: serial('number').notNull(),
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    email: text('email').notNull(),
    role: agentRole('role').notNull().default('agent'),
    passwordHash: text('password_hash'),
    availability: availability('availability').notNull().default('offline'),
    capacity: integer('capacity').notNull().default(5),
    avatarUrl: text('avatar_url'),
    /** Where a phone call is transferred when the session is handed to this agent (E.164). */
    phoneNumber: text('phone_number'),
    /**
     * An Open client's own numeric id for this agent (`agent.id` on send): the agent record Switchboard made or
     * mapped for it, and the `human_agent_id` its history shows. Null for Switchboard's own agents.
     */
    openAgentId: integer('open_agent_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('agents_org_email_uq').on(t.orgId, sql`lower(${t.email})`),
    uniqueIndex('agents_org_open_id_uq').on(t.orgId, t.openAgentId),
  ],
);

export interface BusinessHours {
  timezone: string;
  /** Day (0 = Sunday) → list of [open, close] "HH:MM" ranges. */
  days: Record<string, Array<[string, string]>>;
}

export const teams = pgTable('teams', {
  id: id(),
  orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  description: text('description'),
  strategy: routingStrategy('strategy').notNull().default('round_robin'),
  businessHours: jsonb('business_hours').$type<BusinessHours>(),
  /** Round-robin position: the number of the agent last assigned. */
  lastAssignedNumber: integer('last_assigned_number'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const teamMembers = pgTable(
  'team_members',
  {
    teamId: uuid('team_id').notNull().references(() => teams.id, { onDelete: 'cascade' }),
    agentId: uuid('agent_id').notNull().references(() => agents.id, { onDelete: 'cascade' }),
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.agentId] }), index('team_members_agent_idx').on(t.agentId)],
);
