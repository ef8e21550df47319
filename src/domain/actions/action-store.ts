import { type SQL, and, asc, eq, gt, sql } from 'drizzle-orm';
import type { SecretBox } from '../../crypto/secret-box.ts';
import type { Db } from '../../db/client.ts';
import { keysetPage } from '../../db/keyset.ts';
import { type ActionMethod, type ActionRunner, actions } from '../../db/schema/index.ts';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import type { AddressPolicy } from '../../net/address-policy.ts';
import { checkParameterSchema, type ParameterSchema } from './action-parameters.ts';
import { checkUrlTemplate, originOf, placeholdersOf } from './action-request.ts';

// The actions admin API: rows in, views out, every query scoped by org id. Header values are sealed at rest
// (src/crypto/secret-box.ts, one JSON object) and never shown again: views list only their names. As with a
// channel's credentials (src/domain/channels/channel-config.ts), a change of the URL's origin must give the stored
// headers again, else whoever could edit the action could have its secrets sent to a host of their own.

export interface ActionCtx {
  db: Db;
  secrets: SecretBox;
  outbound: { policy: AddressPolicy };
}

export type ActionRow = typeof actions.$inferSelect;

export interface NewAction {
  name: string;
  description?: string | undefined;
  method: ActionMethod;
  url_template: string;
  headers?: Record<string, string> | undefined;
  parameters?: ParameterSchema | undefined;
  run_by?: ActionRunner[] | undefined;
}

export interface ActionPatch extends Partial<Omit<NewAction, 'headers'>> {
  /** Merged into the stored headers name by name; null removes one. */
  headers?: Record<string, string | null> | undefined;
}

export const EMPTY_PARAMETERS: ParameterSchema = { type: 'object', properties: {} };

export function actionView(row: ActionRow) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    method: row.method,
    url_template: row.urlTemplate,
    headers_set: row.headerNames,
    parameters: row.parameters,
    run_by: row.runBy,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

const scoped = (orgId: string, id?: string): SQL => and(eq(actions.orgId, orgId), id ? eq(actions.id, id) : undefined)!;
const notFound = (): never => {
  throw new NotFoundError('Action');
};

/** A taken name is the caller's mistake: 409, however the driver or drizzle wraps unique_violation. */
function nameTaken(err: unknown, name: string | undefined): never {
  for (let e = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === '23505') throw new ConflictError(`Another action of this organization is named ${name ?? 'so'}`);
  }
  throw err;
}

/** The header values as the request sends them (empty when there are none). */
export function openHeaders(box: SecretBox, row: Pick<ActionRow, 'headers'>): Record<string, string> {
  if (row.headers === null) return {};
  try {
    return box.openJson<Record<string, string>>(row.headers);
  } catch (err) {
    throw new AppError('INTERNAL', 'Action headers cannot be decrypted: was SWITCHBOARD_SECRET changed?', undefined, { cause: err });
  }
}

const sealed = (box: SecretBox, headers: Record<string, string>) => {
  const names = Object.keys(headers).sort();
  return { headers: names.length ? box.sealJson(headers) : null, headerNames: names };
};

function checkDefinition(ctx: ActionCtx, template: string, parameters: ParameterSchema): void {
  checkUrlTemplate(ctx.outbound.policy, template);
  checkParameterSchema(parameters, placeholdersOf(template));
}

export async function createAction(ctx: ActionCtx, orgId: string, input: NewAction): Promise<ActionRow> {
  const parameters = input.parameters ?? EMPTY_PARAMETERS;
  checkDefinition(ctx, input.url_template, parameters);
  const values = {
    orgId,
    name: input.name,
    description: input.description ?? '',
    method: input.method,
    urlTemplate: input.url_template,
    parameters,
    ...(input.run_by ? { runBy: [...new Set(input.run_by)] } : {}),
    ...sealed(ctx.secrets, input.headers ?? {}),
  };
  const [row] = await ctx.db.insert(actions).values(values).returning().catch((err: unknown) => nameTaken(err, input.name));
  return row!;
}

export async function getAction(ctx: Pick<ActionCtx, 'db'>, orgId: string, id: string): Promise<ActionRow> {
  const [row] = await ctx.db.select().from(actions).where(scoped(orgId, id));
  return row ?? notFound();
}

/** By name, A→Z; `after` is the last name of the previous page. */
export async function listActions(ctx: Pick<ActionCtx, 'db'>, orgId: string, limit: number, after?: [string]) {
  const rows = await ctx.db
    .select()
    .from(actions)
    .where(and(scoped(orgId), after ? gt(actions.name, after[0]) : undefined))
    .orderBy(asc(actions.name))
    .limit(limit + 1);
  const page = keysetPage(rows, limit, (last): [string] => [last.name]);
  return { items: page.rows, next: page.next };
}

/** Stored headers a patch must give again because the URL now points at another origin. */
function requireHeadersForNewOrigin(row: ActionRow, patch: ActionPatch): void {
  if (patch.url_template === undefined || originOf(patch.url_template) === originOf(row.urlTemplate)) return;
  const missing = row.headerNames.filter((name) => patch.headers?.[name] === undefined);
  if (!missing.length) return;
  const details = missing.map((name) => ({ path: `headers.${name}`, message: 'Required again: url_template now points at another host' }));
  throw new ValidationError(
    `This change sends the action's headers somewhere new: give ${missing.join(', ')} again in the same request (or null to remove)`,
    details,
  );
}

export async function patchAction(ctx: ActionCtx, orgId: string, id: string, patch: ActionPatch): Promise<ActionRow> {
  const row = await getAction(ctx, orgId, id);
  const template = patch.url_template ?? row.urlTemplate;
  const parameters = patch.parameters ?? row.parameters;
  if (patch.url_template !== undefined || patch.parameters !== undefined) checkDefinition(ctx, template, parameters);
  requireHeadersForNewOrigin(row, patch);
  let headers = {};
  if (patch.headers !== undefined) {
    const merged: Record<string, string> = openHeaders(ctx.secrets, row);
    for (const [name, value] of Object.entries(patch.headers)) {
      if (value === null) delete merged[name];
      else merged[name] = value;
    }
    headers = sealed(ctx.secrets, merged);
  }
  const [updated] = await ctx.db
    .update(actions)
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.method !== undefined ? { method: patch.method } : {}),
      ...(patch.url_template !== undefined ? { urlTemplate: patch.url_template } : {}),
      ...(patch.parameters !== undefined ? { parameters } : {}),
      ...(patch.run_by !== undefined ? { runBy: [...new Set(patch.run_by)] } : {}),
      ...headers,
      updatedAt: new Date(),
    })
    .where(scoped(orgId, id))
    .returning()
    .catch((err: unknown) => nameTaken(err, patch.name));
  return updated ?? notFound();
}

export async function deleteAction(ctx: Pick<ActionCtx, 'db'>, orgId: string, id: string): Promise<void> {
  const gone = await ctx.db.delete(actions).where(scoped(orgId, id)).returning({ id: actions.id });
  if (gone.length === 0) notFound();
}

/** Open's deleteAllActions: every action of the organization. Returns how many went. */
export async function deleteAllActions(ctx: Pick<ActionCtx, 'db'>, orgId: string): Promise<number> {
  return (await ctx.db.delete(actions).where(scoped(orgId)).returning({ id: actions.id })).length;
}

/** OpenAI takes at most 128 tools a request; the AI is offered this many actions (by name) beside its own tool. */
export const MAX_AI_ACTIONS = 100;

/** The actions the AI may call for this organization (run_by has "ai"), by name. */
export async function aiActions(ctx: Pick<ActionCtx, 'db'>, orgId: string): Promise<ActionRow[]> {
  const forAi = sql`${actions.runBy} @> '["ai"]'::jsonb`;
  return ctx.db.select().from(actions).where(and(scoped(orgId), forAi)).orderBy(asc(actions.name)).limit(MAX_AI_ACTIONS);
}

/** One action by its name (what a tool call names). */
export async function actionNamed(ctx: Pick<ActionCtx, 'db'>, orgId: string, name: string): Promise<ActionRow | undefined> {
  const [row] = await ctx.db.select().from(actions).where(and(scoped(orgId), eq(actions.name, name)));
  return row;
}
