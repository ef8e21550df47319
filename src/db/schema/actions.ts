import { sql } from 'drizzle-orm';
import { jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, updatedAt } from './columns.ts';
import { organizations } from './organizations.ts';

/** Who may run an action: agents and admins from the console or the API, and the AI during its turn. */
export const ACTION_RUNNERS = ['agent', 'admin', 'ai'] as const;
export type ActionRunner = (typeof ACTION_RUNNERS)[number];

export const ACTION_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type ActionMethod = (typeof ACTION_METHODS)[number];

// System actions (issue 18 §2): an HTTP request an admin defined, which agents run from a session and the AI calls
// as a tool. Header values are secrets (an API key, a bearer token): sealed at rest like channel secrets, never
// shown again; only their names are kept in the clear.
export const actions = pgTable(
  'actions',
  {
    id: id(),
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    /** Also the AI's tool name, so OpenAI's function-name rule applies: [a-zA-Z0-9_-]{1,64}; unique per organization. */
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    method: text('method').$type<ActionMethod>().notNull(),
    /** `https://api.example.com/orders/{order_id}`: `{param}` filled from the validated parameters, URL-encoded. */
    urlTemplate: text('url_template').notNull(),
    /** The header values, one sealed JSON object (src/crypto/secret-box.ts); null when there are none. */
    headers: text('headers'),
    /** The names of the sealed headers, for views (the values never leave). */
    headerNames: jsonb('header_names').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    /** A JSON Schema (type: object) for the parameters: the console's form and the AI's tool parameters. */
    parameters: jsonb('parameters').$type<Record<string, unknown>>().notNull(),
    runBy: jsonb('run_by').$type<ActionRunner[]>().notNull().default(sql`'["agent","admin"]'::jsonb`),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  // Also the list's order (by name) and what a tool call names.
  (t) => [uniqueIndex('actions_org_name_uq').on(t.orgId, t.name)],
);
