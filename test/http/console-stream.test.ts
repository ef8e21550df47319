import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { consoleRoutes } from '../../src/console/server/index.ts';
import { EventCursor } from '../../src/console/server/event-cursor.ts';
import { events } from '../../src/db/schema/index.ts';
import { createOrganization } from '../../src/domain/organization/organizations.ts';
import { handleError } from '../../src/http/errors.ts';
import { newRouter } from '../../src/http/router.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { listen, type ListeningApp } from '../helpers/server.ts';

// GET /console/api/stream over real HTTP: the org's new events as Server-Sent Events, read with fetch + a reader.

type Json = Record<string, any>;
let t: TestApp;
let server: ListeningApp;
let cookie: string;

beforeAll(async () => {
  t = await createTestApp();
  server = await listen(t);
  await t.json('POST', '/agents', { name: 'Ada', email: 'ada@acme.example', password: 'correct horse battery', role: 'agent' });
  const res = await fetch(`${server.url}/console/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'ada@acme.example', password: 'correct horse battery' }),
  });
  cookie = /sb_console=[^;]+/.exec(res.headers.get('set-cookie') ?? '')![0];
});
afterAll(async () => {
  await server?.close();
  await t?.close();
});

interface SseMessage {
  event?: string;
  id?: string;
  data?: string;
  comment?: string;
}

/** Reads SSE messages off a response body until `until` matches one (or the time runs out). */
async function readUntil(res: Response, until: (m: SseMessage) => boolean, timeoutMs = 8000): Promise<SseMessage[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const seen: SseMessage[] = [];
  let buffer = '';
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()))]);
      if (chunk === null || chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const m: SseMessage = {};
        for (const line of block.split('\n')) {
          const [field, ...rest] = line.split(':');
          const value = rest.join(':').replace(/^ /, '');
          if (field === '') m.comment = value;
          else if (field === 'event' || field === 'id' || field === 'data') m[field] = value;
        }
        seen.push(m);
        if (until(m)) return seen;
      }
    }
    throw new Error(`stream ended without the expected message; saw ${JSON.stringify(seen)}`);
  } finally {
    await reader.cancel().catch(() => {});
  }
}

const open = (headers: Record<string, string> = {}) => fetch(`${server.url}/console/api/stream`, { headers: { cookie, ...headers } });

describe('GET /console/api/stream', () => {
  it('is an event stream that delivers events created after connecting, and not older ones', async () => {
    const before = await t.json('POST', '/chat/sessions', {});
    const res = await open();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    // Give the stream its starting point, then make something happen.
    await new Promise((r) => setTimeout(r, 300));
    const created = await t.json('POST', '/chat/sessions', {});
    const seen = await readUntil(res, (m) => m.event === 'conversation.started');
    const started = seen.filter((m) => m.event === 'conversation.started');
    expect(started).toHaveLength(1);
    const payload = JSON.parse(started[0]!.data!) as Json;
    expect(payload).toMatchObject({ type: 'conversation.started', session_id: created.body.id, data: { session_id: created.body.id } });
    expect(payload.session_id).not.toBe(before.body.id);
    expect(started[0]!.id).toBe(String(payload.seq));
    expect(seen[0]!.comment).toBe('connected');
  });

  it('honours Last-Event-ID: resumes right after the last event the client saw', async () => {
    const a = await t.json('POST', '/chat/sessions', {});
    const [row] = await t.deps.db.select({ seq: events.seq }).from(events).where(eq(events.sessionId, a.body.id));
    const b = await t.json('POST', '/chat/sessions', {});
    const res = await open({ 'last-event-id': String(row!.seq) });
    const seen = await readUntil(res, (m) => m.event === 'conversation.started');
    expect(JSON.parse(seen.find((m) => m.event)!.data!).session_id).toBe(b.body.id);
  });

  it('shows one organization only its own events', async () => {
    const other = await createOrganization(t.deps, 'Other');
    const res = await open();
    await new Promise((r) => setTimeout(r, 300));
    const theirs = await t.json('POST', '/chat/sessions', {}, { key: other.adminKey });
    const ours = await t.json('POST', '/chat/sessions', {});
    const seen = await readUntil(res, (m) => m.event === 'conversation.started' && JSON.parse(m.data!).session_id === ours.body.id);
    expect(seen.some((m) => m.data?.includes(theirs.body.id))).toBe(false);
  });

  it('stops polling once the client goes away', async () => {
    const select = vi.spyOn(t.deps.db, 'select');
    try {
      const res = await open();
      await new Promise((r) => setTimeout(r, 1200));
      expect(select.mock.calls.length).toBeGreaterThan(1); // it polls while connected
      await res.body!.cancel();
      await new Promise((r) => setTimeout(r, 800));
      const after = select.mock.calls.length;
      await new Promise((r) => setTimeout(r, 1500));
      expect(select.mock.calls.length).toBe(after);
    } finally {
      select.mockRestore();
    }
  });

  it('takes bearer keys too, and refuses the unauthenticated', async () => {
    const res = await fetch(`${server.url}/console/api/stream`, { headers: { authorization: `Bearer ${t.adminKey}` } });
    expect(res.status).toBe(200);
    await res.body!.cancel();
    expect((await fetch(`${server.url}/console/api/stream`)).status).toBe(401);
  });
});

describe('graceful shutdown', () => {
  it('ends open streams once the server stops listening, instead of holding server.close() up', async () => {
    const own = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    const { port } = own.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/console/api/stream`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const started = Date.now();
    const closed = new Promise<void>((resolve) => own.close(() => resolve()));
    // The body ends (done) instead of hanging: the server ended the stream itself.
    const reader = res.body!.getReader();
    while (!(await reader.read()).done);
    expect(Date.now() - started).toBeLessThan(2000);
    // What is left is an idle keep-alive connection, which main.ts's shutdown closes.
    if ('closeIdleConnections' in own) own.closeIdleConnections();
    await closed;
  });
});

describe('keep-alive', () => {
  it('sends a `: ping` comment while nothing happens', async () => {
    const app = newRouter();
    app.onError(handleError);
    app.route('/', consoleRoutes(t.deps, { stream: { pingMs: 100 } }));
    const res = await app.request('/console/api/stream', { headers: { authorization: `Bearer ${t.adminKey}` } });
    const seen = await readUntil(res, (m) => m.comment === 'ping', 3000);
    expect(seen.filter((m) => m.event)).toEqual([]);
  });
});

describe('EventCursor', () => {
  it('sends late commits found in the look-back window once, and moves its floor on', () => {
    let now = 0;
    const cursor = new EventCursor(10, 1000, () => now);
    expect(cursor.accept([{ seq: 11 }, { seq: 13 }]).map((r) => r.seq)).toEqual([11, 13]);
    now = 500;
    // 12 committed late; 11 and 13 come back in the window read and are not sent twice.
    expect(cursor.accept([{ seq: 11 }, { seq: 12 }, { seq: 13 }, { seq: 14 }]).map((r) => r.seq)).toEqual([12, 14]);
    expect(cursor.high).toBe(14);
    expect(cursor.sentSeqs().sort()).toEqual([11, 12, 13, 14]);
    now = 1600;
    cursor.accept([]);
    expect(cursor.floor).toBe(14);
    expect(cursor.sentSeqs()).toEqual([]);
  });
});
