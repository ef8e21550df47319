import { type SQL, and, eq } from 'drizzle-orm';
import type { SecretBox } from '../../crypto/secret-box.ts';
import type { Db } from '../../db/client.ts';
import { keysetPage, type TimeIdCursor, timeIdKeyset } from '../../db/keyset.ts';
import { channels, events, sessions, type WebhookEventFilter, webhookDeliveries, webhookEndpoints } from '../../db/schema/index.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';
import type { AddressPolicy } from '../../net/address-policy.ts';
import { assertOutboundUrl } from '../../net/url-check.ts';
import { ORG_WIDE, type Queues } from '../../queue/queues.ts';
import { requeueNotify } from '../relays/event-fanout.ts';
import { newWebhookSecret } from './webhook-signature.ts';

// The webhook endpoints admin API: rows in, views out, every query scoped by org id. The signing secret is sealed
// at rest and leaves only in the create and rotate responses. A URL at a refused IP literal (127.0.0.1, [::1]…) is
// a 400 here; names are checked when the worker connects (src/net/guarded-connector.ts).

export interface WebhookCtx {
  db: Db;
  secrets: SecretBox;
  queues: Queues;
  outbound: { policy: AddressPolicy };
}

type EndpointRow = typeof webhookEndpoints.$inferSelect;
type DeliveryRow = typeof webhookDeliveries.$inferSelect;
/** The endpoint list's order: oldest first. */
const endpointsByCreated = timeIdKeyset(webhookEndpoints.createdAt, webhookEndpoints.id, 'asc');
/** The delivery log's order: newest first. */
const deliveriesByCreated = timeIdKeyset(webhookDeliveries.createdAt, webhookDeliveries.id, 'desc');

/** After a rotation the old secret keeps signing (a second signature) this long. */
const ROTATION_OVERLAP_MS = 24 * 3600 * 1000;

export function endpointView(row: EndpointRow) {
  const { id, url, description, events, enabled } = row;
  const times = { created_at: row.createdAt.toISOString(), updated_at: row.updatedAt.toISOString() };
  return { id, url, description, events, enabled, disabled_reason: row.disabledReason, ...times };
}

export function deliveryView(row: DeliveryRow & { eventType: string }) {
  const { id, attempt, status, error } = row;
  return {
    id,
    event_id: row.eventId,
    event_type: row.eventType,
    attempt,
    status,
    response_status: row.responseStatus,
    response_body: row.responseBody,
    error,
    duration_ms: row.durationMs,
    next_attempt_at: row.nextAttemptAt?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
  };
}

/** `*` stands alone; repeated names collapse. */
const normalizeEvents = (names: WebhookEventFilter[]): WebhookEventFilter[] => (names.includes('*') ? ['*'] : [...new Set(names)]);

const notFound = (): never => {
  throw new NotFoundError('Webhook endpoint');
};
const scoped = (orgId: string, id?: string): SQL =>
  and(eq(webhookEndpoints.orgId, orgId), id ? eq(webhookEndpoints.id, id) : undefined)!;

export interface NewEndpoint {
  url: string;
  events: WebhookEventFilter[];
  description?: string | undefined;
}

export async function createEndpoint(ctx: WebhookCtx, orgId: string, input: NewEndpoint) {
  assertOutboundUrl(ctx.outbound.policy, input.url, 'url');
  const secret = newWebhookSecret();
  const [row] = await ctx.db
    .insert(webhookEndpoints)
    .values({
      orgId,
      url: input.url,
      events: normalizeEvents(input.events),
      description: input.description ?? null,
      secret: ctx.secrets.seal(secret),
    })
    .returning();
  return { row: row!, secret };
}

export async function getEndpoint(ctx: WebhookCtx, orgId: string, id: string): Promise<EndpointRow> {
  const [row] = await ctx.db.select().from(webhookEndpoints).where(scoped(orgId, id));
  return row ?? notFound();
}

/** Oldest first. */
export async function listEndpoints(ctx: WebhookCtx, orgId: string, limit: number, after?: TimeIdCursor) {
  const rows = await ctx.db
    .select({ endpoint: webhookEndpoints, sortKey: endpointsByCreated.sortKey })
    .from(webhookEndpoints)
    .where(and(scoped(orgId), endpointsByCreated.after(after)))
    .orderBy(...endpointsByCreated.orderBy)
    .limit(limit + 1);
  const page = keysetPage(rows, limit, (last): TimeIdCursor => [last.sortKey, last.endpoint.id]);
  return { items: page.rows.map((r) => r.endpoint), next: page.next };
}

export interface EndpointPatch {
  url?: string | undefined;
  events?: WebhookEventFilter[] | undefined;
  description?: string | null | undefined;
  enabled?: boolean | undefined;
}

export async function patchEndpoint(ctx: WebhookCtx, orgId: string, id: string, patch: EndpointPatch): Promise<EndpointRow> {
  if (patch.url !== undefined) assertOutboundUrl(ctx.outbound.policy, patch.url, 'url');
  const [row] = await ctx.db
    .update(webhookEndpoints)
    .set({
      ...(patch.url !== undefined ? { url: patch.url } : {}),
      ...(patch.events !== undefined ? { events: normalizeEvents(patch.events) } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      // Enabling again clears why it was disabled.
      ...(patch.enabled !== undefined ? { enabled: patch.enabled, ...(patch.enabled ? { disabledReason: null } : {}) } : {}),
      updatedAt: new Date(),
    })
    .where(scoped(orgId, id))
    .returning();
  return row ?? notFound();
}

/** Deletes the endpoint and its delivery log; its queued jobs find it gone and do nothing. */
export async function deleteEndpoint(ctx: WebhookCtx, orgId: string, id: string): Promise<void> {
  const gone = await ctx.db.delete(webhookEndpoints).where(scoped(orgId, id)).returning({ id: webhookEndpoints.id });
  if (gone.length === 0) notFound();
}

/** A new secret, shown once; the old one keeps signing beside it for a day so receivers can switch without a gap. */
export async function rotateSecret(ctx: WebhookCtx, orgId: string, id: string) {
  const current = await getEndpoint(ctx, orgId, id);
  const secret = newWebhookSecret();
  const now = new Date();
  const [row] = await ctx.db
    .update(webhookEndpoints)
    .set({
      secret: ctx.secrets.seal(secret),
      previousSecret: current.secret,
      previousSecretExpiresAt: new Date(now.getTime() + ROTATION_OVERLAP_MS),
      updatedAt: now,
    })
    .where(scoped(orgId, id))
    .returning();
  return { row: row ?? notFound(), secret };
}

/** Attempts at one endpoint, newest first. */
export async function listDeliveries(ctx: WebhookCtx, orgId: string, endpointId: string, limit: number, after?: TimeIdCursor) {
  await getEndpoint(ctx, orgId, endpointId);
  const d = webhookDeliveries;
  const rows = await ctx.db
    .select({ delivery: d, eventType: events.type, sortKey: deliveriesByCreated.sortKey })
    .from(d)
    .innerJoin(events, eq(events.id, d.eventId))
    .where(and(eq(d.orgId, orgId), eq(d.endpointId, endpointId), deliveriesByCreated.after(after)))
    .orderBy(...deliveriesByCreated.orderBy)
    .limit(limit + 1);
  const page = keysetPage(rows, limit, (last): TimeIdCursor => [last.sortKey, last.delivery.id]);
  return { items: page.rows.map((r) => ({ ...r.delivery, eventType: r.eventType })), next: page.next };
}

/** Re-enqueues the delivery's event for its endpoint. An event already delivered, or a disabled endpoint: 409. */
export async function retryDelivery(ctx: WebhookCtx, orgId: string, endpointId: string, deliveryId: string): Promise<void> {
  const endpoint = await getEndpoint(ctx, orgId, endpointId);
  const d = webhookDeliveries;
  const [row] = await ctx.db
    .select({ eventId: d.eventId, channel: channels.type })
    .from(d)
    .innerJoin(events, eq(events.id, d.eventId))
    .leftJoin(sessions, eq(sessions.id, events.sessionId))
    .leftJoin(channels, eq(channels.id, sessions.channelId))
    .where(and(eq(d.orgId, orgId), eq(d.endpointId, endpointId), eq(d.id, deliveryId)));
  if (!row) throw new NotFoundError('Webhook delivery');
  if (!endpoint.enabled) throw new ConflictError('The webhook endpoint is disabled: enable it before retrying');
  const [done] = await ctx.db
    .select({ id: d.id })
    .from(d)
    .where(and(eq(d.endpointId, endpointId), eq(d.eventId, row.eventId), eq(d.status, 'succeeded')))
    .limit(1);
  if (done) throw new ConflictError('This event was already delivered to this endpoint');
  await requeueNotify(ctx.queues, { orgId, eventId: row.eventId, endpointId }, row.channel ?? ORG_WIDE);
}
