import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium, SHOTS } from '../helpers/browser.ts';
import { startRealServer, type RealServer } from '../helpers/real-server.ts';
import { freshQueuePrefix, redisUrl } from '../helpers/services.ts';
import { startActionPeer } from '../peers/action-peer.ts';

// The console as a support team lives it, in Debian's chromium against the real server process: an admin signs in,
// creates a web channel and a knowledge article; a visitor on the demo page gets the AI's answer and asks for a
// person; an agent, signed in in another browser context, sees the conversation arrive live, replies and resolves;
// the visitor sees the reply; the dashboard counts it. An admin defines a system action and an agent runs it from a
// conversation against a local service (loopback allowed, as an operator would with OUTBOUND_ALLOW_CIDRS).
// Screenshots go to artifacts/screenshots/console-*.png.

const ADMIN = { name: 'Ada Admin', email: 'ada@acme.example', password: 'correct horse battery staple', role: 'admin' };
const AGENT = { name: 'Grace Hopper', email: 'grace@acme.example', password: 'another long passphrase', role: 'agent' };

let server: RealServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  server = await startRealServer({ REDIS_URL: redisUrl(), QUEUE_PREFIX: freshQueuePrefix(), TURN_BURST_MS: '100', OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8' });
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
  for (const person of [ADMIN, { ...AGENT, availability: 'online' }]) expect((await api('POST', '/agents', person)).status).toBe(201);
}, 90_000);
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.stop();
});

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${server.adminKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function newPage(): Promise<{ page: Page; dialogs: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 860 } });
  contexts.push(context);
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (d) => void (dialogs.push(d.message()), d.dismiss()));
  return { page, dialogs };
}

async function signIn(page: Page, who: { email: string; password: string }) {
  await page.goto(`${server.url}/console`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

it('refuses a wrong password with a clear message', async () => {
  const { page } = await newPage();
  await page.goto(`${server.url}/console`);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(async () => (await page.getByRole('alert').textContent()) ?? '').toMatch(/Invalid email or password/);
});

it('admin sets up a channel and an article; a visitor gets the AI answer and asks for a person; the agent sees it live, replies and resolves; the dashboard counts it', async () => {
  // The admin: a new web channel and a knowledge article, through the console.
  const { page: admin } = await newPage();
  await signIn(admin, ADMIN);
  await admin.getByRole('link', { name: 'Channels' }).click();
  await admin.getByRole('button', { name: 'New channel' }).click();
  const form = admin.getByRole('form', { name: 'New channel' });
  await form.getByLabel('Channel type').selectOption('web:web');
  await form.getByLabel('Name', { exact: true }).fill('Online shop');
  await form.getByRole('button', { name: 'Create', exact: true }).click();
  await admin.getByRole('button', { name: 'Send test' }).waitFor();
  await admin.screenshot({ path: `${SHOTS}/console-channel-setup.png`, fullPage: true });
  const channel = (await api('GET', '/channels?type=web&limit=100')).body.items.find((c: { name: string }) => c.name === 'Online shop');
  expect(channel).toBeDefined();

  await admin.getByRole('link', { name: 'Knowledge' }).click();
  await admin.getByRole('button', { name: 'New article' }).click();
  const article = admin.getByRole('form', { name: 'New article' });
  await article.getByLabel('Title').fill('Gift wrapping');
  await article.getByLabel('Body').fill('Gift wrapping costs 4 euros per item. Choose it at checkout and add a personal message on the card.');
  await article.getByRole('button', { name: 'Create article' }).click();
  await expect.poll(async () => (await api('GET', '/knowledge?limit=100')).body.items?.some((k: { title: string }) => k.title === 'Gift wrapping')).toBe(true);

  // The agent signs in and watches the whole inbox.
  const { page: agent, dialogs } = await newPage();
  await signIn(agent, AGENT);
  await agent.getByRole('link', { name: 'All', exact: true }).click();
  const list = agent.getByRole('list', { name: 'Conversations' });
  // Conversations are links in the list (an empty inbox has a single "nothing here" item).
  await list.waitFor();
  expect(await list.getByRole('link').count()).toBe(0);

  // The visitor, on the demo page of the new channel.
  const { page: visitor } = await newPage();
  await visitor.goto(`${server.url}/demo?channel=${channel.public_id}`);
  await visitor.getByRole('button', { name: 'Open chat' }).click();
  const box = visitor.getByRole('textbox', { name: 'Message' });
  const say = async (text: string) => {
    await box.fill(text);
    await box.press('Enter');
  };
  await say('How much does gift wrapping cost?');
  const fromAi = visitor.locator('li[data-message-id][data-sender="ai"]');
  await expect.poll(() => fromAi.filter({ hasText: '4 euros' }).count(), { timeout: 20_000 }).toBe(1);
  await say('I want to talk to a human please');

  // Live: the conversation shows up in the agent's open inbox without a reload.
  await expect.poll(() => list.getByRole('link').count(), { timeout: 20_000 }).toBe(1);
  await agent.screenshot({ path: `${SHOTS}/console-inbox.png` });
  await list.getByRole('link').first().click();
  await agent.getByRole('textbox', { name: 'Reply' }).fill('Hi, Grace here. I can add gift wrapping to your order.');
  await agent.getByRole('button', { name: 'Send reply' }).click();
  await expect.poll(() => visitor.locator('li[data-message-id]').filter({ hasText: 'Grace here' }).count(), { timeout: 20_000 }).toBe(1);
  await agent.screenshot({ path: `${SHOTS}/console-session.png` });
  await agent.getByRole('button', { name: 'Resolve' }).click();
  await agent.getByRole('button', { name: 'Reopen' }).waitFor();
  expect(dialogs).toEqual([]);

  // The dashboard counts it.
  await admin.getByRole('link', { name: 'Dashboard' }).click();
  const resolved = admin.getByRole('region', { name: 'Resolved', exact: true });
  await expect.poll(async () => (await resolved.textContent()) ?? '', { timeout: 10_000 }).toMatch(/[1-9]/);
  await admin.screenshot({ path: `${SHOTS}/console-dashboard.png`, fullPage: true });

  // Queue health: nothing is stuck once the conversation is done.
  await admin.getByRole('link', { name: 'Queues' }).click();
  const backlog = admin.getByRole('region', { name: 'Backlog' });
  await expect.poll(async () => (await backlog.textContent()) ?? '', { timeout: 10_000 }).toMatch(/Replies waiting to be sent\s*0/);
  await admin.getByRole('region', { name: 'Job queues' }).getByText('dispatch').waitFor();
}, 180_000);

it('shows script payloads from customers as text, inert', async () => {
  const payload = '<img src=x onerror=alert(1)>';
  const created = await api('POST', '/chat/sessions', { contact: { name: payload, email: 'mallory@example.com' } });
  expect(created.status).toBe(201);
  const sent = await api('POST', `/chat/sessions/${created.body.id}/send`, { sender: 'contact', message: { type: 'text', text: '<script>alert("pwned")</script> hello' } });
  expect(sent.status).toBe(201);
  const { page, dialogs } = await newPage();
  await signIn(page, ADMIN);
  await page.goto(`${server.url}/console#/sessions/${created.body.id}`);
  await page.getByRole('list', { name: 'Messages' }).getByText('<script>alert("pwned")</script> hello').waitFor();
  await page.getByText(payload).first().waitFor();
  await page.waitForTimeout(300);
  expect(dialogs).toEqual([]);
  expect(await page.locator('img[src="x"]').count()).toBe(0);
});

it("shows a customer's HTML email sanitized, inside a sandboxed frame, and inert", async () => {
  const secret = 'console-e2e-webhook-secret-0123';
  const ch = await api('POST', '/channels', { type: 'email', name: 'Support mail', config: { address: 'help@acme.example', smtp: { host: '127.0.0.1', port: 9 }, webhook_secret: secret } });
  expect(ch.status).toBe(201);
  const raw = [
    'From: Mallory <mallory@evil.example>',
    'To: help@acme.example',
    'Subject: Look at this',
    'Message-ID: <console-xss-1@evil.example>',
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=UTF-8',
    '',
    '<p>Order <b>A-1001</b> is late.</p><script>alert("mail")</script><img src="x" onerror="alert(2)"><a href="javascript:alert(3)">click</a>',
    '',
  ].join('\r\n');
  const posted = await fetch(ch.body.webhook_urls.mime, { method: 'POST', headers: { 'content-type': 'message/rfc822', authorization: `Bearer ${secret}` }, body: raw });
  expect(posted.status).toBe(200);
  const sessions = await api('GET', '/chat/sessions?channel_type=email&limit=10');
  const id = sessions.body.items[0].id as string;

  const { page, dialogs } = await newPage();
  await signIn(page, ADMIN);
  await page.goto(`${server.url}/console#/sessions/${id}`);
  const frame = page.locator('iframe[sandbox]');
  await frame.first().waitFor();
  expect(await frame.first().getAttribute('sandbox')).toBe('');
  const srcdoc = (await frame.first().getAttribute('srcdoc')) ?? '';
  expect(srcdoc).toContain('A-1001');
  expect(srcdoc).not.toMatch(/<script|onerror|javascript:/i);
  await page.waitForTimeout(500);
  expect(dialogs).toEqual([]);
});

it('admin defines an action; an agent runs it from a conversation and sees the result in the thread', async () => {
  const shop = await startActionPeer();
  try {
    shop.enqueue({ status: 200, json: { order_id: 'A-1001', status: 'shipped' } });
    const { page: admin } = await newPage();
    await signIn(admin, ADMIN);
    await admin.getByRole('link', { name: 'Actions', exact: true }).click();
    await admin.getByRole('button', { name: 'New action' }).click();
    const form = admin.getByRole('form', { name: 'New action' });
    await form.getByLabel('Name', { exact: true }).fill('lookup_order');
    await form.getByLabel('Description').fill('Where an order is');
    await form.getByLabel('URL').fill(`${shop.base}/orders/{order_id}`);
    await form.getByLabel('Headers').fill('X-Api-Key: shop-key-123456');
    await form.getByRole('button', { name: 'Create action' }).click();
    await admin.getByRole('link', { name: 'lookup_order' }).waitFor();
    await admin.screenshot({ path: `${SHOTS}/console-actions-admin.png`, fullPage: true });

    const created = await api('POST', '/chat/sessions', { contact: { name: 'Olga Order', email: 'olga@example.com' } });
    await api('POST', `/chat/sessions/${created.body.id}/send`, { sender: 'contact', message: { type: 'text', text: 'Where is my order A-1001?' } });
    const { page: agent, dialogs } = await newPage();
    await signIn(agent, AGENT);
    await agent.goto(`${server.url}/console#/sessions/${created.body.id}`);
    const card = agent.getByRole('region', { name: 'Actions', exact: true });
    await card.getByLabel(/Order ID/).fill('A-1001');
    await card.getByRole('button', { name: 'Run' }).click();
    await card.getByText('Done (HTTP 200)').waitFor();
    await agent.getByRole('list', { name: 'Messages' }).getByText('Action lookup_order succeeded (HTTP 200)').waitFor();
    expect(shop.requests.at(-1)).toMatchObject({ method: 'GET', path: '/orders/A-1001' });
    expect(shop.requests.at(-1)!.headers['x-api-key']).toBe('shop-key-123456');
    await agent.screenshot({ path: `${SHOTS}/console-actions-run.png` });
    expect(dialogs).toEqual([]);
  } finally {
    await shop.close();
  }
}, 90_000);

it('admin turns CSAT on for a channel; the visitor rates the resolved conversation in the chat; the agent and the dashboard see the score', async () => {
  const { page: admin } = await newPage();
  await signIn(admin, ADMIN);
  const created = await api('POST', '/channels', { type: 'web', name: 'Rated shop' });
  expect(created.status).toBe(201);
  await admin.getByRole('link', { name: 'Channels' }).click();
  await admin.getByRole('button', { name: 'Open channel Rated shop' }).click();
  await admin.getByRole('switch', { name: 'Ask for a rating' }).check();
  await expect.poll(async () => (await api('GET', `/channels/${created.body.id}`)).body.csat_enabled, { timeout: 10_000 }).toBe(true);

  const { page: visitor } = await newPage();
  await visitor.goto(`${server.url}/demo?channel=${created.body.public_id}`);
  await visitor.getByRole('button', { name: 'Open chat' }).click();
  const box = visitor.getByRole('textbox', { name: 'Message' });
  await box.fill('Do you ship to Norway?');
  await box.press('Enter');
  await expect.poll(async () => (await api('GET', '/chat/sessions?channel_type=web&limit=100')).body.items.filter((s: { channel: { id: string } }) => s.channel.id === created.body.id).length, { timeout: 20_000 }).toBe(1);
  const session = (await api('GET', '/chat/sessions?channel_type=web&limit=100')).body.items.find((s: { channel: { id: string } }) => s.channel.id === created.body.id);
  await expect.poll(async () => (await api('GET', `/chat/sessions/${session.id}`)).body.message_count, { timeout: 20_000 }).toBeGreaterThan(1);
  expect((await api('PATCH', `/chat/sessions/${session.id}`, { status: 'closed_resolved' })).status).toBe(200);

  // The rating row arrives under the question; a click rates.
  const rating = visitor.getByRole('group', { name: /Rate the help you got/ });
  await rating.waitFor({ timeout: 20_000 });
  await rating.getByRole('button', { name: 'Rate 4 of 5' }).click();
  await visitor.getByText('Thanks for your rating: 4 of 5').waitFor();
  await visitor.screenshot({ path: `${SHOTS}/console-csat-widget.png` });

  const { page: agent } = await newPage();
  await signIn(agent, AGENT);
  await agent.goto(`${server.url}/console#/sessions/${session.id}`);
  const card = agent.getByRole('region', { name: 'CSAT' });
  await expect.poll(async () => (await card.textContent()) ?? '', { timeout: 10_000 }).toContain('4 / 5');
  await agent.screenshot({ path: `${SHOTS}/console-csat-session.png` });

  await admin.getByRole('link', { name: 'Dashboard' }).click();
  const tile = admin.getByRole('region', { name: 'CSAT', exact: true });
  await expect.poll(async () => (await tile.textContent()) ?? '', { timeout: 10_000 }).toContain('4.0 / 5');
  await admin.getByRole('region', { name: 'CSAT per day' }).waitFor();
  await admin.screenshot({ path: `${SHOTS}/console-csat-dashboard.png`, fullPage: true });
}, 120_000);
