import { serve } from '@hono/node-server';
import { Hono } from 'hono';

// Baseline (a): the bare minimum of our stack, a Hono app that parses a JSON body and echoes it
// (or a form body, answered with empty TwiML). Run as a child
// process so it does not share an event loop with the load generator, exactly like the real server.

const app = new Hono();
app.post('/echo', async (c) => c.json(await c.req.json()));
// The SMS webhook's baseline: a form-encoded body parsed, an empty TwiML answer (what our webhook answers Twilio).
app.post('/form', async (c) => {
  await c.req.parseBody();
  return c.body('<?xml version="1.0" encoding="UTF-8"?><Response></Response>', 200, { 'content-type': 'text/xml' });
});

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`listening http://127.0.0.1:${info.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
