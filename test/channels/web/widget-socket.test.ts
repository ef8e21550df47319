import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agents, knowledge } from '../../../src/db/schema/index.ts';
import { createDeps } from '../../../src/deps.ts';
import { insertApiKey } from '../../../src/domain/organization/organizations.ts';
import { createApp } from '../../../src/http/app.ts';
import { createLogger } from '../../../src/logger.ts';
import { startWorkers, type RunningWorkers } from '../../../workers/main.ts';
import { createTestApp, type TestApp } from '../../helpers/app.ts';
import { listen, type ListeningApp } from '../../helpers/server.ts';
import { redisUrl } from '../../helpers/services.ts';
import { type Frame, openWidgetSocket, refusedUpgrade, type WidgetSocket } from '../../helpers/widget-client.ts';

// The widget's WebSocket end to end (docs/web-chat.md) on a real server, Redis, database and workers: the AI's
// answer and an agent's reply reach the visitor's sockets; a second gateway process's socket gets them through
// Redis; a dropped socket resumes with nothing lost and nothing twice; bad tokens and origins are refused.

let t: TestApp;
let server: ListeningApp;
let workers: RunningWorkers;
let pid: string;
let agentKey: string;
const SITE = 'https://shop.example.com';

beforeAll(async () => {
  t = await createTestApp({ TURN_BURST_MS: '50' });
  workers = startWorkers(t.deps, { sweepIntervalMs: 200 });
  server = await listen(t);
  const res = await t.json('POST', '/channels', { type: 'web', name: 'Shop', config: { allowed_origins: [SITE], theme: { ai_name: 'Robin' } } });
  pid = res.body.public_id;
  await t.database.db.insert(knowledge).values({
    orgId: t.orgId,
    title: 'Shipping times',
    body: 'Standard shipping takes 3 to 5 business days. Express shipping takes 1 to 2 business days.',
  });
  const [agent] = await t.database.db.insert(agents).values({ orgId: t.orgId, name: 'Grace', email: 'grace@example.com' }).returning();
  agentKey = (await insertApiKey(t.database.db, t.orgId, 'agent', 'Grace', undefined, agent!.id)).key;
});
afterAll(async () => {
  await server.close();
  await workers.close();
  await t.close();
});

async function visitor(): Promise<string> {
  const res = await fetch(`${server.url}/widget/${pid}/visitors`, { method: 'POST', headers: { origin: SITE }, body: '{}' });
  return ((await res.json()) as { token: string }).token;
}

async function connect(token: string, hello: Frame = {}, url = server.wsUrl): Promise<WidgetSocket> {
  const s = await openWidgetSocket(url, pid, SITE);
  s.send({ type: 'hello', token, ...hello });
  await s.waitFor((f) => f.type === 'ready');
  return s;
}

async function say(s: WidgetSocket, text: string): Promise<Frame> {
  const client_msg_id = randomUUID();
  s.send({ type: 'send', client_msg_id, text });
  return s.waitFor((f) => f.type === 'ack' && f.client_msg_id === client_msg_id);
}

const agentReply = (sessionId: string, text: string) =>
  t.call('POST', `/chat/sessions/${sessionId}/send`, { sender: 'agent', message: { type: 'text', text } }, { key: agentKey });

const countById = (frames: Frame[]) => {
  const counts = new Map<string, number>();
  for (const m of frames) counts.set(m.id, (counts.get(m.id) ?? 0) + 1);
  return counts;
};

describe('refusals', () => {
  it('refuses the upgrade from a disallowed origin with a 403, and an unknown channel with a 404', async () => {
    const refused = await refusedUpgrade(server.wsUrl, pid, 'https://evil.example.net');
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toEqual({
      statusCode: 403,
      message: "Origin https://evil.example.net may not use this chat: add it to the channel's allowed_origins",
      error: 'Forbidden',
    });
    expect((await refusedUpgrade(server.wsUrl, 'ch_unknown', SITE)).status).toBe(404);
  });

  it('closes with 4401 on a bad token, and on a frame before hello', async () => {
    const s = await openWidgetSocket(server.wsUrl, pid, SITE);
    s.send({ type: 'hello', token: 'not-a-token' });
    expect(await s.closed).toEqual({ code: 4401, reason: 'Invalid or expired visitor token' });
    expect(s.frames).toEqual([{ type: 'error', code: 'auth', message: 'Invalid or expired visitor token' }]);
    const nested = await openWidgetSocket(server.wsUrl, pid, SITE);
    nested.send({ type: 'hello', token: await visitor(), custom_data: { cart: { total: 3 } } });
    expect((await nested.closed).code).toBe(1008);
    expect(nested.frames[0]).toMatchObject({ type: 'error', code: 'invalid', message: expect.stringMatching(/^Invalid frame: custom_data\.cart: /) });
    const early = await openWidgetSocket(server.wsUrl, pid, SITE);
    early.send({ type: 'send', client_msg_id: randomUUID(), text: 'hi' });
    expect((await early.closed).code).toBe(4401);
  });
});

describe('bad frames', () => {
  it('answers garbage after hello with error frames, closes an oversized frame with 1009, and keeps serving', async () => {
    const token = await visitor();
    const s = await connect(token);
    for (const raw of ['not json', '[]', 'null', '{"type":"send","client_msg_id":"x","text":1}', '{"type":"nope"}']) s.ws.send(raw);
    s.ws.send(Buffer.from([0, 1, 2]), { binary: true });
    await expect.poll(() => s.frames.filter((f) => f.type === 'error').length).toBe(6);
    expect(s.frames.filter((f) => f.type === 'error').every((f) => f.code === 'invalid')).toBe(true);
    expect((await say(s, 'still here')).type).toBe('ack');
    s.ws.send('x'.repeat(70 * 1024));
    expect((await s.closed).code).toBe(1009);
    const again = await connect(token);
    expect((await say(again, 'and again')).type).toBe('ack');
    again.ws.close();
  });
});

describe('a conversation', () => {
  it('acks a message, shows it on every tab, answers with the AI (after typing), and stores a resend once', async () => {
    const token = await visitor();
    const [tab1, tab2] = [await connect(token), await connect(token)];
    const client_msg_id = randomUUID();
    tab1.send({ type: 'send', client_msg_id, text: 'How long does express shipping take?' });
    const ack = await tab1.waitFor((f) => f.type === 'ack');
    expect(ack).toEqual({ type: 'ack', client_msg_id, id: expect.any(String), seq: expect.any(Number), session_id: expect.any(String) });
    // The other tab shows the visitor's own message too.
    const mine = await tab2.waitFor((f) => f.type === 'message' && f.message.id === ack.id);
    expect(mine.message).toMatchObject({ client_msg_id, sender: { type: 'contact', name: null }, text: 'How long does express shipping take?', event: 'message' });
    for (const tab of [tab1, tab2]) {
      const typing = await tab.waitFor((f) => f.type === 'typing', 10_000);
      expect(typing).toEqual({ type: 'typing', sender: { type: 'ai', name: null }, active: true });
      const answer = await tab.waitFor((f) => f.type === 'message' && f.message.sender.type === 'ai', 10_000);
      expect(answer.message).toMatchObject({ sender: { type: 'ai', name: 'Robin' }, session_id: ack.session_id });
      expect(answer.message.text).toMatch(/1 to 2 business days/);
      expect(answer.message.seq).toBeGreaterThan(ack.seq);
    }
    // A resend after a lost ack: the same message again, nothing new stored.
    tab1.send({ type: 'send', client_msg_id, text: 'How long does express shipping take?' });
    const acks = () => tab1.frames.filter((f) => f.type === 'ack');
    await expect.poll(() => acks().length).toBe(2);
    expect(acks()[1]).toEqual(ack);
    const history = (await t.json('GET', `/chat/sessions/${ack.session_id}/history?limit=100`)).body.items;
    expect(history.filter((i: Frame) => i.event.sender?.type === 'contact')).toHaveLength(1);
    tab1.ws.close();
    tab2.ws.close();
  });

  it('brings an agent’s reply, sent through the API, to the visitor, with the agent’s name', async () => {
    const token = await visitor();
    const s = await connect(token);
    const ack = await say(s, 'Hello, anyone there?');
    expect((await agentReply(ack.session_id, 'Hi, Grace here!')).status).toBe(201);
    const reply = await s.waitFor((f) => f.type === 'message' && f.message.sender.type === 'human_agent', 10_000);
    expect(reply.message).toMatchObject({ sender: { type: 'human_agent', name: 'Grace' }, text: 'Hi, Grace here!' });
    // The agent starts writing again: the visitor sees it (an agent key names its own agent); nothing is stored.
    const typing = await t.call('POST', `/chat/sessions/${ack.session_id}/typing`, undefined, { key: agentKey });
    expect(typing.status).toBe(202);
    expect(await s.waitFor((f) => f.type === 'typing' && f.sender.type === 'human_agent')).toEqual({
      type: 'typing',
      sender: { type: 'human_agent', name: 'Grace' },
      active: true,
    });
    expect((await t.call('POST', `/chat/sessions/${ack.session_id}/typing`, { active: false })).status).toBe(202);
    await s.waitFor((f) => f.type === 'typing' && f.active === false);
    expect((await t.call('POST', `/chat/sessions/${randomUUID()}/typing`, {})).status).toBe(404);
    s.ws.close();
  });

  it('replays the visitor’s history to a fresh page, once each, in seq order', async () => {
    const token = await visitor();
    const first = await connect(token);
    await say(first, 'one');
    const last = await say(first, 'two');
    await first.waitFor((f) => f.type === 'message' && f.message.id === last.id);
    first.ws.close();
    const reloaded = await connect(token);
    await reloaded.waitFor((f) => f.type === 'message' && f.message.id === last.id);
    const texts = reloaded.messages().filter((m) => m.sender.type === 'contact').map((m) => m.text);
    expect(texts).toEqual(['one', 'two']);
    const seqs = reloaded.messages().map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect([...countById(reloaded.messages()).values()].every((n) => n === 1)).toBe(true);
    reloaded.ws.close();
  });
});

describe('page data, files and limits', () => {
  it('merges the page’s custom_data into the session, and shows an agent’s file with a signed link', async () => {
    const token = await visitor();
    const s = await connect(token, { custom_data: { plan: 'pro', cart_value: 42 } });
    const ack = await say(s, 'Can you check my cart?');
    const session = (await t.json('GET', `/chat/sessions/${ack.session_id}`)).body;
    expect(session.custom_data).toMatchObject({ plan: 'pro', cart_value: 42 });
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    const sent = await t.call(
      'POST',
      `/chat/sessions/${ack.session_id}/send`,
      { sender: 'agent', message: { type: 'text', text: 'Here is your invoice', attachments: [{ name: 'invoice.png', base64: png, mime_type: 'image/png' }] } },
      { key: agentKey },
    );
    expect(sent.status).toBe(201);
    const frame = await s.waitFor((f) => f.type === 'message' && f.message.text === 'Here is your invoice', 10_000);
    const [file] = frame.message.attachments;
    expect(file).toMatchObject({ name: 'invoice.png', type: 'image/png', size: 70 });
    const download = await fetch(file.url.replace('https://switchboard.test', server.url));
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(png, 'base64'))).toBe(true);
    s.ws.close();
  });

  it('nacks what breaks the channel’s limits: too long, and too many per minute', async () => {
    const strict = await t.json('POST', '/channels', {
      type: 'web',
      name: 'Strict',
      config: { allowed_origins: [SITE], max_text_length: 10, rate_limits: { visitor_per_minute: 2 } },
    });
    const res = await fetch(`${server.url}/widget/${strict.body.public_id}/visitors`, { method: 'POST', headers: { origin: SITE }, body: '{}' });
    const { token } = (await res.json()) as { token: string };
    const s = await openWidgetSocket(server.wsUrl, strict.body.public_id, SITE);
    s.send({ type: 'hello', token });
    await s.waitFor((f) => f.type === 'ready');
    const send = async (text: string) => {
      const client_msg_id = randomUUID();
      s.send({ type: 'send', client_msg_id, text });
      return s.waitFor((f) => (f.type === 'ack' || f.type === 'nack') && f.client_msg_id === client_msg_id);
    };
    expect(await send('x'.repeat(11))).toMatchObject({ type: 'nack', code: 'too_long', message: 'The message is 11 characters; the limit is 10' });
    // A sliding minute: two fit, and one more only if the sends straddle a window's edge (the previous window's
    // weight is rounded down).
    const answers = [];
    for (const text of ['one', 'two', 'three', 'four', 'five']) answers.push(await send(text));
    expect(answers.slice(0, 2).map((a) => a.type)).toEqual(['ack', 'ack']);
    const refused = answers.find((a) => a.type === 'nack')!;
    expect(answers.filter((a) => a.type === 'ack').length).toBeLessThanOrEqual(3);
    expect(refused).toMatchObject({ type: 'nack', code: 'rate_limited', message: 'Too many messages: wait a moment before sending more' });
    expect(refused.retry_after_ms).toBeGreaterThan(0);
    expect(refused.retry_after_ms).toBeLessThanOrEqual(60_000);
    s.ws.close();
  });
});

describe('a NUL character', () => {
  it('is nacked invalid (a retry cannot store it), the socket keeps serving, and the log has no text', async () => {
    const lines: string[] = [];
    const logger = createLogger('debug', 'widget-nul', { write: (line: string) => void lines.push(line) });
    const own = await listen({ app: t.app, deps: { ...t.deps, logger } });
    try {
      const s = await connect(await visitor(), {}, own.wsUrl);
      const client_msg_id = randomUUID();
      s.send({ type: 'send', client_msg_id, text: 'zebra-marker \u0000 after' });
      const answer = await s.waitFor((f) => (f.type === 'ack' || f.type === 'nack') && f.client_msg_id === client_msg_id);
      expect(answer).toEqual({ type: 'nack', client_msg_id, code: 'invalid', message: 'The message contains a NUL character, which cannot be stored' });
      expect((await say(s, 'and now without one')).type).toBe('ack');
      expect(lines.join('')).not.toContain('zebra-marker');
      s.ws.close();
    } finally {
      await own.close();
    }
  });
});

describe('resume after a dropped socket', () => {
  it('gets every reply sent while it was away, each exactly once', async () => {
    const token = await visitor();
    const before = await connect(token);
    const ack = await say(before, 'Please send me the details');
    await before.waitFor((f) => f.type === 'message' && f.message.id === ack.id);
    // Six agent replies; the socket dies (no close handshake) after the second has arrived.
    const replies = Array.from({ length: 6 }, (_, i) => `part ${i + 1}`);
    for (const text of replies.slice(0, 2)) expect((await agentReply(ack.session_id, text)).status).toBe(201);
    await before.waitFor((f) => f.type === 'message' && f.message.text === 'part 2', 10_000);
    before.ws.terminate();
    for (const text of replies.slice(2)) expect((await agentReply(ack.session_id, text)).status).toBe(201);

    const shown = before.messages();
    const afterSeq = Math.max(...shown.map((m) => m.seq));
    const after = await connect(token, { after_seq: afterSeq, seen_ids: shown.map((m) => m.id) });
    await after.waitFor((f) => f.type === 'message' && f.message.text === 'part 6', 10_000);
    await new Promise((r) => setTimeout(r, 300)); // anything extra would arrive now
    const all = [...shown, ...after.messages()];
    expect(all.filter((m) => m.sender.type === 'human_agent').map((m) => m.text)).toEqual(replies);
    expect([...countById(all).values()].every((n) => n === 1)).toBe(true);
    after.ws.close();
  });
});

describe('two gateway processes', () => {
  it('delivers a reply produced through one gateway to a socket held by the other, through Redis', async () => {
    // A second gateway: its own app, Redis connections and hub; only the database and Redis are shared.
    const deps2 = createDeps(t.deps.config, createLogger('silent'), t.database, redisUrl());
    const other = await listen({ app: createApp(deps2), deps: deps2 });
    try {
      const token = await visitor();
      const s = await connect(token, {}, other.wsUrl);
      const ack = await say(s, 'Hi from the other process');
      expect((await agentReply(ack.session_id, 'Answered via gateway one')).status).toBe(201);
      const reply = await s.waitFor((f) => f.type === 'message' && f.message.text === 'Answered via gateway one', 10_000);
      expect(reply.message.sender.type).toBe('human_agent');
      expect(other.gateway.connections).toBe(1);
      s.ws.close();
    } finally {
      await other.close();
      await deps2.queues.turn.close();
      deps2.redis.disconnect();
    }
  });
});
