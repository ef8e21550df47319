import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium, SHOTS } from '../../helpers/browser.ts';
import { startRealServer, type RealServer } from '../../helpers/real-server.ts';
import { freshQueuePrefix, redisUrl } from '../../helpers/services.ts';

// The web chat as a visitor lives it, in Debian's chromium against the real server process: the demo page, the
// widget, an answer from a knowledge article, a handoff and an agent's reply through the API, an image upload,
// a script payload shown as text, and a reload that shows the same history once.

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAKklEQVR42mNgGAWjYBSMglEwCkbBKBgFo2AUjIJRMApGwSgYBaNgFIwCAAvQAAGRWcjGAAAAAElFTkSuQmCC',
  'base64',
);

let server: RealServer;
let browser: Browser;

beforeAll(async () => {
  server = await startRealServer({ REDIS_URL: redisUrl(), QUEUE_PREFIX: freshQueuePrefix(), TURN_BURST_MS: '100' });
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function api(method: string, path: string, body?: unknown, key = server.adminKey) {
  const res = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const widget = (page: Page) => ({
  launcher: page.getByRole('button', { name: 'Open chat' }),
  textbox: page.getByRole('textbox', { name: 'Message' }),
  items: page.locator('li[data-message-id]'),
  from: (sender: string) => page.locator(`li[data-message-id][data-sender="${sender}"]`),
});

async function ask(page: Page, text: string) {
  const w = widget(page);
  await w.textbox.fill(text);
  await w.textbox.press('Enter');
  await expect.poll(() => w.from('contact').filter({ hasText: text }).count()).toBe(1);
}

it('answers from knowledge, hands off to a person, takes an image, keeps script inert, and survives a reload', async () => {
  const article = await api('POST', '/knowledge', {
    title: 'Gift cards',
    body: 'Gift cards never expire. You can use them online and in any of our stores, and check the balance on your receipt.',
  });
  expect(article.status).toBe(201);
  const agent = await api('POST', '/agents', { name: 'Grace Hopper', email: 'grace@example.com' });
  expect(agent.status).toBe(201);

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (d) => void (dialogs.push(d.message()), d.dismiss()));
  await page.goto(`${server.url}/demo`);
  const w = widget(page);
  await w.launcher.click();
  await expect.poll(() => w.textbox.isVisible()).toBe(true);

  await ask(page, 'Do gift cards expire?');
  await expect.poll(() => w.from('ai').filter({ hasText: 'never expire' }).count(), { timeout: 15_000 }).toBe(1);
  await page.screenshot({ path: `${SHOTS}/widget-ai-answer.png` });

  await ask(page, 'I want to talk to a human please');
  const sessions = await api('GET', '/chat/sessions?channel_type=web');
  const session = sessions.body.items[0];
  await expect.poll(async () => (await api('GET', `/chat/sessions/${session.id}`)).body.handed_off, { timeout: 15_000 }).toBe(true);
  const reply = await api('POST', `/chat/sessions/${session.id}/send`, {
    sender: 'agent',
    agent: { id: agent.body.id, name: 'Grace Hopper' },
    message: { type: 'text', text: 'Hi, Grace here. How can I help?' },
  });
  expect(reply.status).toBe(201);
  await expect.poll(() => w.from('human_agent').filter({ hasText: 'Grace here' }).count(), { timeout: 15_000 }).toBe(1);
  await expect.poll(() => page.getByText('Grace Hopper').first().isVisible()).toBe(true);

  await page.locator('input[type=file]').setInputFiles({ name: 'receipt.png', mimeType: 'image/png', buffer: PNG });
  const image = page.locator('li[data-sender="contact"] img[alt="receipt.png"]');
  await expect.poll(() => image.count(), { timeout: 15_000 }).toBe(1);
  // Loaded through its signed link (the tsconfig has no DOM types: the element is typed by what is read).
  const loadedWidth = () => image.evaluate((img) => ((i: { complete: boolean; naturalWidth: number }) => (i.complete ? i.naturalWidth : 0))(img as never));
  await expect.poll(loadedWidth, { timeout: 10_000 }).toBe(16);

  const payload = `<img src=x onerror="alert('xss')"> <b>bold</b> ${randomUUID().slice(0, 6)}`;
  await ask(page, payload);
  const shown = w.from('contact').filter({ hasText: payload });
  expect(await shown.locator('img[src=x], b').count()).toBe(0);
  await page.screenshot({ path: `${SHOTS}/widget-conversation.png` });

  const before = await w.items.evaluateAll((els) => els.map((e) => e.getAttribute('data-message-id')));
  await page.reload();
  await w.launcher.click();
  await expect.poll(async () => (await w.items.evaluateAll((els) => els.map((e) => e.getAttribute('data-message-id')))).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(before.length);
  const after = await w.items.evaluateAll((els) => els.map((e) => e.getAttribute('data-message-id')));
  // The same history, once each, in the same order (plus anything that arrived since, e.g. a queue notice).
  expect(after.slice(0, before.length)).toEqual(before);
  expect(new Set(after).size).toBe(after.length);
  expect(dialogs).toEqual([]);

  // Reduced motion: the screenshot shows the open panel, not a frame of its opening animation.
  const mobile = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, reducedMotion: 'reduce' });
  const phone = await mobile.newPage();
  await phone.goto(`${server.url}/demo`);
  await widget(phone).launcher.click();
  await expect.poll(() => widget(phone).textbox.isVisible()).toBe(true);
  await phone.screenshot({ path: `${SHOTS}/widget-mobile.png` });
  await mobile.close();
  await context.close();
}, 120_000);

it('renews its token after a 4401, reconnects, and sends again what the server never acknowledged', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const visitorPosts: string[] = [];
  page.on('request', (r) => void (r.url().endsWith('/visitors') && visitorPosts.push(r.method())));
  // The first socket loses the visitor's send and is then closed as an expired token would be; later ones pass.
  let sockets = 0;
  const dropped: string[] = [];
  await page.routeWebSocket(/\/ws$/, (ws) => {
    const first = ++sockets === 1;
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      const frame = JSON.parse(String(message)) as { type: string; client_msg_id?: string };
      if (first && frame.type === 'send') {
        dropped.push(frame.client_msg_id!);
        void ws.close({ code: 4401, reason: 'token expired' });
      } else server.send(message);
    });
  });
  await page.goto(`${server.url}/demo`);
  const w = widget(page);
  await w.launcher.click();
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 10_000 }).toBe('');

  const text = `Still there? ${randomUUID().slice(0, 6)}`;
  await w.textbox.fill(text);
  await w.textbox.press('Enter');
  const stored = w.from('contact').filter({ hasText: text });
  await expect.poll(() => stored.count(), { timeout: 15_000 }).toBe(1);
  expect(sockets).toBe(2);
  expect(visitorPosts).toEqual(['POST', 'POST']); // the new visitor, then the renewal after the 4401
  expect(dropped).toHaveLength(1);
  expect(await stored.getAttribute('data-client-msg-id')).toBe(dropped[0]);
  expect(await page.locator('li[data-pending="true"], li[data-failed="true"]').count()).toBe(0);
  await context.close();
}, 60_000);

it('tells the visitor when their identity is refused, and refuses an oversized file before uploading it', async () => {
  const web = (await api('GET', '/channels?type=web')).body.items[0];
  const patched = await api('PATCH', `/channels/${web.id}`, { config: { identity_secret: 'demo-identity-secret-123', files: { max_bytes: 1024 } } });
  expect(patched.status).toBe(200);
  // The channel cache of the server lives 5 s: wait until the new limit is what the widget is told.
  await expect.poll(async () => ((await (await fetch(`${server.url}/widget/${web.public_id}/config`)).json()) as { limits: { max_file_bytes: number } }).limits.max_file_bytes, { timeout: 10_000 }).toBe(1024);

  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(() => {
    (globalThis as unknown as { SwitchboardSettings: object }).SwitchboardSettings = { user_id: 'u-1', user_hash: '00'.repeat(32) };
  });
  await page.goto(`${server.url}/demo`);
  await widget(page).launcher.click();
  await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 }).toMatch(/couldn't verify your identity/);
  expect(await widget(page).textbox.isDisabled()).toBe(true);
  await context.close();

  const anon = await browser.newContext();
  const visitor = await anon.newPage();
  await visitor.goto(`${server.url}/demo`);
  await widget(visitor).launcher.click();
  await visitor.locator('input[type=file]').setInputFiles({ name: 'big.png', mimeType: 'image/png', buffer: Buffer.concat([PNG, Buffer.alloc(2048)]) });
  await expect.poll(() => visitor.locator('li[data-failed="true"]').textContent(), { timeout: 10_000 }).toMatch(/big\.png/);
  await anon.close();
}, 60_000);
