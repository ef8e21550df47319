import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/client.ts';
import { closeDeps, createDeps, type Deps } from '../../src/deps.ts';
import { createOrganization } from '../../src/domain/organization/organizations.ts';
import { createApp, type App } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';
import { freshDatabase, freshQueuePrefix, redisUrl } from './services.ts';

/**
 * For tests whose webhook receivers, AI peers or attachment hosts listen on this machine: loopback allowed, as an
 * operator with internal receivers would allow it. Passed explicitly (createTestApp(ALLOW_LOOPBACK)), so every
 * other test runs with the default policy, which refuses internal addresses.
 */
export const ALLOW_LOOPBACK = { OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8,::1/128' } as const;

export interface JsonResponse {
  status: number;
  body: Record<string, any>;
}

type Requestable = { request(path: string, init: RequestInit): Response | Promise<Response> };

/** A JSON request with a Bearer key to any Hono app (the whole app, or a router a test mounts itself). */
export async function requestJson(
  app: Requestable,
  key: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const res = await app.request(path, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

export interface TestApp {
  app: App;
  deps: Deps;
  database: Database;
  orgId: string;
  adminKey: string;
  /** app.request with the admin key (or `key`) and JSON body handling. */
  call(method: string, path: string, body?: unknown, opts?: { key?: string; headers?: Record<string, string> }): Promise<Response>;
  /** Like call, answering `{ status, body }` with the body parsed. */
  json(method: string, path: string, body?: unknown, opts?: { key?: string; headers?: Record<string, string> }): Promise<JsonResponse>;
  close(): Promise<void>;
}

/** A whole app on a fresh database and a fresh queue prefix of the shared test Redis, with one organization. */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const database = await freshDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-app-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    SWITCHBOARD_SECRET: 'test-secret-test-secret-test-secret-0123',
    QUEUE_PREFIX: freshQueuePrefix(),
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'https://switchboard.test',
    ...env,
  });
  const deps = createDeps(config, createLogger(config.logLevel), database, redisUrl());
  const app = createApp(deps);
  const org = await createOrganization(deps, 'Test org');
  return {
    app,
    deps,
    database,
    orgId: org.id,
    adminKey: org.adminKey,
    call: async (method, path, body, opts = {}) =>
      app.request(path, {
        method,
        headers: {
          authorization: `Bearer ${opts.key ?? org.adminKey}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...opts.headers,
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      }),
    json: (method, path, body, opts = {}) => requestJson(app, opts.key ?? org.adminKey, method, path, body, opts.headers),
    close: async () => {
      for (const q of Object.values(deps.queues)) await q.obliterate({ force: true }).catch(() => {});
      await closeDeps(deps);
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
