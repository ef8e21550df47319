import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_AI_SETTINGS } from '../../src/ai/responder.ts';
import { SecretBox } from '../../src/crypto/secret-box.ts';
import { organizations } from '../../src/db/schema/index.ts';
import { loadAiSettings } from '../../src/domain/organization/ai-settings.ts';
import { createOrganization, insertApiKey } from '../../src/domain/organization/organizations.ts';
import { ALLOW_LOOPBACK, createTestApp, type TestApp } from '../helpers/app.ts';
import { expectOpenError } from '../helpers/contract.ts';

// GET/PATCH /settings/ai: defaults overlaid with what was set, partial patches (handoff merged key by key), the
// model API key sealed at rest and never returned, and loadAiSettings for the workers. Admin keys only.

type Json = Record<string, any>;
let t: TestApp;
beforeAll(async () => {
  // The model below is a local one (Ollama on 127.0.0.1): its operator allows loopback.
  t = await createTestApp(ALLOW_LOOPBACK);
});
afterAll(() => t.close());
beforeEach(async () => {
  await t.deps.db.update(organizations).set({ settings: { other_feature: { on: true } } }).where(eq(organizations.id, t.orgId));
});

const call = (method: string, body?: unknown, key = t.adminKey) => t.json(method, '/settings/ai', body, { key });

const stored = async (orgId = t.orgId) => (await t.deps.db.select().from(organizations).where(eq(organizations.id, orgId)))[0]!.settings;
const { api_key: _none, ...defaults } = DEFAULT_AI_SETTINGS;
const defaultView = { ...defaults, base_url: null, model: null, api_key_set: false };
const openai = { responder: 'openai', base_url: 'http://127.0.0.1:11434/v1', model: 'llama3', api_key: 'sk-test-123' };

describe('GET /settings/ai', () => {
  it('shows the defaults before anything is set', async () => {
    expect(await call('GET')).toEqual({ status: 200, body: defaultView });
  });
});

describe('PATCH /settings/ai', () => {
  it('switches to openai, seals the key, never returns it, and keeps other settings of the organization', async () => {
    const { status, body } = await call('PATCH', openai);
    expect(status).toBe(200);
    expect(body).toEqual({ ...defaultView, responder: 'openai', base_url: openai.base_url, model: 'llama3', api_key_set: true });
    expect((await call('GET')).body).toEqual(body);
    const raw = await stored();
    expect(raw.other_feature).toEqual({ on: true });
    expect(JSON.stringify(raw)).not.toContain('sk-test-123');
    expect(t.deps.secrets.open((raw.ai as Json).api_key_sealed)).toBe('sk-test-123');
    expect(await loadAiSettings(t.deps, t.orgId)).toEqual({ ...DEFAULT_AI_SETTINGS, ...openai });
  });

  it('merges partial patches, handoff key by key, and keeps the key unless told', async () => {
    await call('PATCH', openai);
    const { body } = await call('PATCH', { confidence_threshold: 0.6, handoff: { max_failed_attempts: 4, custom_data_rules: [{ priority: 'high' }] } });
    expect(body).toMatchObject({
      responder: 'openai',
      api_key_set: true,
      confidence_threshold: 0.6,
      handoff: { on_negative_sentiment: true, max_failed_attempts: 4, custom_data_rules: [{ priority: 'high' }] },
    });
    await call('PATCH', { handoff: { on_negative_sentiment: false } });
    const loaded = await loadAiSettings(t.deps, t.orgId);
    expect(loaded.handoff).toEqual({ on_negative_sentiment: false, max_failed_attempts: 4, custom_data_rules: [{ priority: 'high' }] });
    expect(loaded.api_key).toBe('sk-test-123');
  });

  it('replaces and clears the key, and clears base_url and model back to the knowledge responder', async () => {
    await call('PATCH', openai);
    await call('PATCH', { api_key: 'sk-new' });
    expect((await loadAiSettings(t.deps, t.orgId)).api_key).toBe('sk-new');
    expect((await call('PATCH', { api_key: null })).body.api_key_set).toBe(false);
    expect((await loadAiSettings(t.deps, t.orgId)).api_key).toBeUndefined();
    const refused = await call('PATCH', { model: null });
    expect(refused.status).toBe(400);
    expect(refused.body.details).toEqual([{ path: 'model', message: 'Required for the openai responder' }]);
    const back = await call('PATCH', { responder: 'knowledge', base_url: null, model: null });
    expect(back).toEqual({ status: 200, body: defaultView });
  });

  it('refuses the openai responder without base_url and model', async () => {
    const { status, body } = await call('PATCH', { responder: 'openai' });
    expect(status).toBe(400);
    expectOpenError(body, 400);
    expect(body.details.map((d: Json) => d.path)).toEqual(['base_url', 'model']);
    expect((await call('GET')).body).toEqual(defaultView);
  });

  it.each([
    ['a non-http base_url', { base_url: 'ftp://models.example.com' }, 'base_url'],
    ['a base_url that is no URL', { base_url: 'localhost:11434' }, 'base_url'],
    ['an unknown responder', { responder: 'gpt' }, 'responder'],
    ['a threshold above 1', { confidence_threshold: 1.5 }, 'confidence_threshold'],
    ['a fractional timeout', { timeout_ms: 1000.5 }, 'timeout_ms'],
    ['a blank queue message', { queue_message: '  ' }, 'queue_message'],
    ['a nested custom_data rule', { handoff: { custom_data_rules: [{ a: { b: 1 } }] } }, 'handoff.custom_data_rules.0.a'],
    ['an empty custom_data rule', { handoff: { custom_data_rules: [{}] } }, 'handoff.custom_data_rules.0'],
    ['an unknown handoff field', { handoff: { on_anger: true } }, 'handoff'],
    ['an unknown field', { api_key_sealed: 'x' }, '(body)'],
    ['a key with spaces', { api_key: 'sk test' }, 'api_key'],
  ])('refuses %s with 400', async (_what, payload, path) => {
    const { status, body } = await call('PATCH', payload);
    expect(status).toBe(400);
    expectOpenError(body, 400);
    expect(body.details.map((d: Json) => d.path)).toContain(path);
  });

  it('accepts https base URLs with paths', async () => {
    const { status, body } = await call('PATCH', { ...openai, base_url: 'https://my-resource.openai.azure.com/openai/v1' });
    expect(status).toBe(200);
    expect(body.base_url).toBe('https://my-resource.openai.azure.com/openai/v1');
  });
});

describe('loadAiSettings', () => {
  it('falls back to the default for each stored value this version does not accept', async () => {
    const ai = { responder: 'gpt-9', timeout_ms: 5000, confidence_threshold: 'high', handoff: { max_failed_attempts: -3, on_negative_sentiment: false } };
    await t.deps.db.update(organizations).set({ settings: { ai } }).where(eq(organizations.id, t.orgId));
    expect(await loadAiSettings(t.deps, t.orgId)).toEqual({
      ...DEFAULT_AI_SETTINGS,
      timeout_ms: 5000,
      handoff: { ...DEFAULT_AI_SETTINGS.handoff, on_negative_sentiment: false },
    });
    expect((await call('GET')).body).toMatchObject({ responder: 'knowledge', timeout_ms: 5000 });
  });

  it('falls back to the defaults when the stored value is not an object', async () => {
    for (const ai of ['oops', [1], null]) {
      await t.deps.db.update(organizations).set({ settings: { ai } }).where(eq(organizations.id, t.orgId));
      expect(await loadAiSettings(t.deps, t.orgId)).toEqual(DEFAULT_AI_SETTINGS);
    }
  });

  it('treats a key sealed under another secret as unset', async () => {
    const foreign = new SecretBox('another-secret-another-secret-0123').seal('sk-x');
    await t.deps.db.update(organizations).set({ settings: { ai: { ...openai, api_key: undefined, api_key_sealed: foreign } } }).where(eq(organizations.id, t.orgId));
    const loaded = await loadAiSettings(t.deps, t.orgId);
    expect(loaded.api_key).toBeUndefined();
    expect(loaded.model).toBe('llama3');
  });
});

describe('roles and scoping', () => {
  it('is for admin keys only, and per organization', async () => {
    const agentKey = (await insertApiKey(t.deps.db, t.orgId, 'agent', 'agent')).key;
    expect((await call('GET', undefined, agentKey)).status).toBe(403);
    expect((await call('PATCH', { confidence_threshold: 0.9 }, agentKey)).status).toBe(403);
    const other = await createOrganization(t.deps, 'Other org');
    await call('PATCH', openai);
    expect((await call('GET', undefined, other.adminKey)).body).toEqual(defaultView);
    expect(await loadAiSettings(t.deps, other.id)).toEqual(DEFAULT_AI_SETTINGS);
  });
});
