import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { expect } from 'vitest';
import type { paths } from '../fixtures/open/openapi-2024.d.ts';
import { createTestApp, type TestApp } from './app.ts';
import { expectOpenContract, expectOpenError } from './contract.ts';
import { listen, type ListeningApp } from './server.ts';

// An Open client: openapi-fetch over the types generated from Open's own document (`npm run gen:open-types`),
// pointed at a real Switchboard on a real port. Only the base URL differs from how it would talk to Open.

export type OpenClient = Client<paths>;

export interface OpenHarness {
  t: TestApp;
  client: OpenClient;
  /** `METHOD /path/{template}` of every operation the client has called, to prove none was left out. */
  driven: Set<string>;
  close(): Promise<void>;
}

/**
 * Every answer the client gets is checked on the way in, so no test can forget to: a 2xx against Open's schema
 * for that operation and status, anything else as Open's ErrorDto (the one error shape its document declares).
 */
function checkedAgainstOpen(driven: Set<string>): Middleware {
  return {
    async onResponse({ request, response, schemaPath }) {
      driven.add(`${request.method} ${schemaPath}`);
      const text = await response.clone().text();
      const body: unknown = text ? JSON.parse(text) : undefined;
      if (response.ok) expectOpenContract(request.method, schemaPath, response.status, body);
      else expectOpenError(body, response.status);
    },
  };
}

/** A test app (fresh database, one organization) listening on a random port, and an Open client with its admin key. */
export async function startOpenHarness(): Promise<OpenHarness> {
  const t = await createTestApp();
  let server: ListeningApp | undefined;
  try {
    server = await listen(t);
  } catch (err) {
    await t.close();
    throw err;
  }
  const client = createClient<paths>({ baseUrl: server.url, headers: { Authorization: `Bearer ${t.adminKey}` } });
  const driven = new Set<string>();
  client.use(checkedAgainstOpen(driven));
  return {
    t,
    client,
    driven,
    close: async () => {
      await server.close();
      await t.close();
    },
  };
}

/** The data of an answer that must have `status`; on any other, the failure shows the body. */
export function expectStatus<T>(res: { data?: T; error?: unknown; response: Response }, status: number): NonNullable<T> {
  expect(res.response.status, JSON.stringify(res.error ?? res.data)).toBe(status);
  return res.data as NonNullable<T>;
}

/**
 * For what Open's real clients send beyond the 2024 document (newer fields, Python date strings, channel types
 * it does not list): typed as the document's on purpose, so each such request is marked where it is made.
 */
export const beyondDocument = <T>(value: unknown): NonNullable<T> => value as NonNullable<T>;
