import { webChannelsOf } from './web-channel.ts';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { Deps } from '../../../src/deps.ts';
import { UnauthorizedError, ValidationError } from '../../../src/errors.ts';
import { acceptVisitorMessage } from './accept-message.ts';
import { messageBody, visitorBody } from './schemas.ts';
import { createsAnonymousVisitor, registerVisitor, visitorFromToken } from './visitors.ts';
import { checkNewVisitorRate } from './widget-limits.ts';
import type { AppEnv } from '../../../src/http/env.ts';
import { clientIp } from '../../../src/http/client-ip.ts';
import { zodDetails } from '../../../src/http/errors.ts';
import { widgetOrigin } from './widget-origin-middleware.ts';
import { newRouter } from '../../../src/http/router.ts';
import { widgetScriptLoader } from './widget-script.ts';

// The widget's HTTP side (docs/web-chat.md): its script, its config, visitor sign-in and file messages.
// No API key: a visitor token (or nothing, for the public parts) and the channel's allowed origins.

/** Loaded once per process (widget-script.ts): a prebuilt file, or the bundle made at the first request. */
const widgetScript = widgetScriptLoader();

export function widgetRoutes(deps: Deps) {
  const app = newRouter();
  const channelOf = (c: Context<AppEnv>) => webChannelsOf(deps).get(c.req.param('publicId') ?? '');
  const ipOf = (c: Context<AppEnv>) => clientIp(peerAddress(c), c.req.header('x-forwarded-for'), deps.config.trustProxyHops);

  // The script is loaded by a <script> tag, which any page may do: it holds nothing secret.
  app.get('/widget/:publicId/widget.js', async (c) => {
    await channelOf(c);
    const script = await widgetScript();
    const gzip = /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
    return c.body(new Uint8Array(gzip ? script.gzip : script.plain), 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=300',
      'x-content-type-options': 'nosniff',
      vary: 'Accept-Encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
  });

  // Listed one by one: a pattern like /widget/:publicId/* would also catch /widget/authenticate-user.
  const origins = widgetOrigin(webChannelsOf(deps), deps.config.publicUrl);
  for (const path of ['config', 'visitors', 'messages']) app.use(`/widget/:publicId/${path}`, origins);

  app.get('/widget/:publicId/config', async (c) => {
    const ch = await channelOf(c);
    const { theme, files, max_text_length, identity_secret } = ch.config;
    return c.json({
      channel: { public_id: ch.publicId, name: ch.name },
      theme,
      limits: { max_text_length, max_file_bytes: files.max_bytes, allowed_file_types: files.allowed_types },
      identity_verification: identity_secret !== undefined,
    });
  });

  app.post('/widget/:publicId/visitors', async (c) => {
    const ch = await channelOf(c);
    const body = parse(visitorBody, await jsonBody(c));
    // Only a new anonymous visitor makes a contact out of nothing: a token renewal writes nothing, and a
    // site-vouched identity is one contact per user the site signed for.
    if (createsAnonymousVisitor(body)) await checkNewVisitorRate(deps, ch, ipOf(c));
    return c.json(await registerVisitor(deps.db, deps.config.secret, ch, body), 200);
  });

  app.post('/widget/:publicId/messages', async (c) => {
    const ch = await channelOf(c);
    const visitor = await visitorFromToken(deps.db, deps.config.secret, ch, bearer(c));
    const multipart = c.req.header('content-type')?.startsWith('multipart/form-data') ?? false;
    const { body, files } = multipart ? await formBody(c) : { body: await jsonBody(c), files: [] };
    const m = parse(messageBody, body);
    const ack = await acceptVisitorMessage(deps, ch, visitor, {
      clientMsgId: m.client_msg_id,
      text: m.text,
      files,
      customData: m.custom_data,
      ip: ipOf(c),
    });
    return c.json(ack, 201);
  });

  return app;
}

function bearer(c: Context<AppEnv>): string {
  const header = c.req.header('authorization') ?? '';
  const token = /^Bearer (\S+)$/i.exec(header)?.[1];
  if (!token) throw new UnauthorizedError('Send the visitor token as Authorization: Bearer <token>');
  return token;
}

async function jsonBody(c: Context<AppEnv>): Promise<unknown> {
  const raw = await c.req.text();
  if (!raw) return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw new ValidationError('The body is not valid JSON');
  }
}

/** Form fields as a plain object (custom_data as JSON), and the `file` parts. */
async function formBody(c: Context<AppEnv>): Promise<{ body: Record<string, unknown>; files: File[] }> {
  const form = await c.req.parseBody({ all: true });
  const files = [form.file ?? []].flat().filter((f): f is File => f instanceof File);
  const field = (name: string) => (typeof form[name] === 'string' ? (form[name] as string) : undefined);
  const body: Record<string, unknown> = { client_msg_id: field('client_msg_id'), text: field('text') ?? '' };
  const customData = field('custom_data');
  if (customData !== undefined) {
    try {
      body.custom_data = JSON.parse(customData);
    } catch {
      throw new ValidationError('custom_data is not valid JSON', [{ path: 'custom_data', message: 'Expected a JSON object' }]);
    }
  }
  if (files.length > 10) throw new ValidationError('At most 10 files per message');
  return { body, files };
}

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: import('zod').ZodError } }, v: unknown): T {
  const r = schema.safeParse(v);
  if (!r.success) throw new ValidationError('Validation failed', zodDetails(r.error));
  return r.data;
}

function peerAddress(c: Context<AppEnv>): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined; // not served by node (app.request in tests)
  }
}

