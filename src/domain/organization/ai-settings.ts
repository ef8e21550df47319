import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { type AiSettings, DEFAULT_AI_SETTINGS } from '../../ai/responder.ts';
import type { SecretBox } from '../../crypto/secret-box.ts';
import type { Db, Tx } from '../../db/client.ts';
import { organizations } from '../../db/schema/index.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import type { AddressPolicy } from '../../net/address-policy.ts';
import { assertOutboundUrl } from '../../net/url-check.ts';
import { customDataSchema } from '../contacts/custom-data.ts';

// An organization's AI settings (GET/PATCH /settings/ai), kept in organizations.settings.ai: the defaults overlaid
// with what was set. The model API key is stored sealed (`api_key_sealed`) and only the workers ever open it.

export interface AiSettingsDeps {
  db: Db;
  secrets: SecretBox;
}

/** PATCH also checks base_url against the outbound policy (a refused IP literal is a 400; names at connect time). */
export type AiSettingsPatchDeps = AiSettingsDeps & { outbound: { policy: AddressPolicy } };

/** Plain zod (not @hono/zod-openapi's): built before the HTTP layer may have extended zod. */
const field = {
  responder: z.enum(['knowledge', 'openai']),
  base_url: z.url({ protocol: /^https?$/ }).max(2048),
  model: z.string().trim().min(1).max(200),
  api_key: z.string().min(1).max(4096).regex(/^[\x21-\x7e]+$/, 'Printable ASCII, no spaces'),
  timeout_ms: z.int().min(100).max(120_000),
  confidence_threshold: z.number().min(0).max(1),
  queue_message: z.string().trim().min(1).max(2000).refine((s) => !s.includes('\u0000'), 'Must not contain NUL characters'),
  tag_rules: z
    .array(
      z.strictObject({
        tag: z.string().trim().min(1).max(50).regex(/^[^,\u0000-\u001f]+$/, 'A tag is 1–50 characters, without commas or control characters'),
        when: customDataSchema.refine((r) => Object.keys(r).length > 0, 'A rule needs at least one key'),
      }),
    )
    .max(50),
  always_summarize: z.boolean(),
};
const handoffField = {
  custom_data_rules: z.array(customDataSchema.refine((r) => Object.keys(r).length > 0, 'A rule needs at least one key')).max(50),
  on_negative_sentiment: z.boolean(),
  max_failed_attempts: z.int().min(1).max(20),
};

/** A PATCH: any subset; null clears base_url, model or api_key; `handoff` merges key by key. */
export const aiSettingsPatchSchema = z
  .strictObject({
    ...field,
    base_url: field.base_url.nullable(),
    model: field.model.nullable(),
    api_key: field.api_key.nullable(),
    handoff: z.strictObject(handoffField).partial(),
  })
  .partial();
export type AiSettingsPatch = z.infer<typeof aiSettingsPatchSchema>;

// Reading back is lenient field by field: a value this version no longer accepts falls back to its default
// instead of breaking every turn of the organization.
const lenient = <T extends Record<string, z.ZodType>>(shape: T) =>
  Object.fromEntries(Object.entries(shape).map(([k, s]) => [k, s.optional().catch(undefined)])) as {
    [K in keyof T]: z.ZodCatch<z.ZodOptional<T[K]>>;
  };
const storedSchema = z.object({
  ...lenient(field),
  api_key: z.undefined().catch(undefined),
  api_key_sealed: z.string().optional().catch(undefined),
  handoff: z.object(lenient(handoffField)).optional().catch(undefined),
});

type Stored = { settings: AiSettings; sealedKey: string | undefined };

function readStored(orgSettings: Record<string, unknown>): Stored {
  const raw = orgSettings.ai;
  const { api_key_sealed, handoff, ...rest } = storedSchema.parse(raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {});
  const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  const settings = { ...DEFAULT_AI_SETTINGS, ...defined(rest), handoff: { ...DEFAULT_AI_SETTINGS.handoff, ...defined(handoff ?? {}) } };
  delete settings.api_key;
  return { settings: settings as AiSettings, sealedKey: api_key_sealed };
}

async function orgSettings(db: Db | Tx, orgId: string, lock = false): Promise<Record<string, unknown>> {
  const query = db.select({ settings: organizations.settings }).from(organizations).where(eq(organizations.id, orgId));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw new NotFoundError('Organization');
  return row.settings;
}

/** What the API shows: the settings without the key, and whether a key is set. */
export function aiSettingsView({ settings, sealedKey }: Stored) {
  const { api_key: _never, base_url, model, ...rest } = settings;
  return { ...rest, base_url: base_url ?? null, model: model ?? null, api_key_set: sealedKey !== undefined };
}

export async function getAiSettings(db: Db, orgId: string) {
  return aiSettingsView(readStored(await orgSettings(db, orgId)));
}

/** For the workers: the effective settings, defaults merged, api_key opened. */
export async function loadAiSettings(deps: AiSettingsDeps, orgId: string): Promise<AiSettings> {
  const { settings, sealedKey } = readStored(await orgSettings(deps.db, orgId));
  if (sealedKey === undefined) return settings;
  try {
    return { ...settings, api_key: deps.secrets.open(sealedKey) };
  } catch {
    // Sealed under another SWITCHBOARD_SECRET: treated as unset. The endpoint then refuses the call and the
    // responder hands off, which is the documented failure path, rather than every turn failing and retrying.
    return settings;
  }
}

export async function patchAiSettings(deps: AiSettingsPatchDeps, orgId: string, patch: AiSettingsPatch) {
  if (patch.base_url) assertOutboundUrl(deps.outbound.policy, patch.base_url, 'base_url');
  return deps.db.transaction(async (tx) => {
    // Locked: two concurrent PATCHes must not both merge into the same old settings.
    const all = await orgSettings(tx, orgId, true);
    const current = readStored(all);
    const { handoff, api_key, ...rest } = patch;
    const next: Record<string, unknown> = { ...current.settings, ...rest, handoff: { ...current.settings.handoff, ...handoff } };
    for (const k of ['base_url', 'model'] as const) if (next[k] === null) delete next[k];
    const sealedKey = api_key === null ? undefined : api_key !== undefined ? deps.secrets.seal(api_key) : current.sealedKey;
    if (next.responder === 'openai') {
      const missing = (['base_url', 'model'] as const).filter((k) => next[k] === undefined);
      if (missing.length) {
        const details = missing.map((path) => ({ path, message: 'Required for the openai responder' }));
        throw new ValidationError('The openai responder needs base_url and model', details);
      }
    }
    const stored = { ...next, ...(sealedKey !== undefined ? { api_key_sealed: sealedKey } : {}) };
    await tx.update(organizations).set({ settings: { ...all, ai: stored }, updatedAt: new Date() }).where(eq(organizations.id, orgId));
    return aiSettingsView({ settings: next as unknown as AiSettings, sealedKey });
  });
}
