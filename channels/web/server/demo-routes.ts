import { readFileSync } from 'node:fs';
import { and, asc, eq, isNull } from 'drizzle-orm';
import { channels } from '../../../src/db/schema/index.ts';
import type { Deps } from '../../../src/deps.ts';
import { newRouter } from '../../../src/http/router.ts';

// GET /demo: a sample shop page with the widget of the default web channel (the oldest one), or of
// ?channel=<public id>. What a new user opens first, to see the product work.

let template: string | undefined;
const demoTemplate = () => (template ??= readFileSync(new URL('../widget/demo.html', import.meta.url), 'utf8'));

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

export function demoRoutes(deps: Deps) {
  const app = newRouter();
  app.get('/demo', async (c) => {
    const wanted = c.req.query('channel');
    const [channel] = await deps.db
      .select({ publicId: channels.publicId, name: channels.name })
      .from(channels)
      .where(
        and(
          eq(channels.type, 'web'),
          eq(channels.enabled, true),
          isNull(channels.deletedAt),
          wanted ? eq(channels.publicId, wanted) : undefined,
        ),
      )
      .orderBy(asc(channels.createdAt))
      .limit(1);
    if (!channel) {
      return c.html(
        '<!doctype html><title>No web chat</title><p>There is no enabled web chat channel. Create one with ' +
          '<code>POST /channels</code> and <code>{"type":"web","name":"Website"}</code>, then reload.</p>',
        404,
      );
    }
    // Relative: the page and the widget come from wherever the user reached us (localhost, a LAN name…).
    const src = `/widget/${encodeURIComponent(channel.publicId)}/widget.js`;
    const html = demoTemplate().replaceAll('{{WIDGET_SRC}}', escapeHtml(src)).replaceAll('{{CHANNEL_NAME}}', escapeHtml(channel.name));
    return c.html(html, 200, { 'cache-control': 'no-store' });
  });
  return app;
}
