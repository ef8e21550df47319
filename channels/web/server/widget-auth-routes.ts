import { createRoute } from '@hono/zod-openapi';
import type { Deps } from '../../../src/deps.ts';
import { authenticateVisitor } from '../../../src/domain/contacts/contact-commands.ts';
import { signVisitorToken } from './visitor-token.ts';
import { bearerSecurity, errorResponses, idempotencyHeader, newRouter } from '../../../src/http/router.ts';
import { WidgetAuthBody, WidgetAuthResult } from '../../../src/http/schemas/contacts.ts';

// POST /widget/authenticate-user: called by the customer's *server* (admin key, applied in app.ts), never by a
// browser. It vouches for a web-chat visitor and returns a signed token the web chat then presents.

const authenticate = createRoute({
  method: 'post',
  path: '/widget/authenticate-user',
  operationId: 'authenticateWidgetUser',
  summary: 'Make a web chat visitor verified',
  description:
    'Finds (by email, else phone) or creates the contact, marks it verified, sets the given details and merges ' +
    'customData. The token is valid for 24 hours.',
  tags: ['Contacts'],
  security: bearerSecurity,
  request: {
    headers: idempotencyHeader,
    body: { required: true, content: { 'application/json': { schema: WidgetAuthBody } } },
  },
  responses: {
    200: { description: 'The visitor token', content: { 'application/json': { schema: WidgetAuthResult } } },
    ...errorResponses,
  },
});

export function widgetAuthRoutes(deps: Deps) {
  const app = newRouter();

  app.openapi(authenticate, async (c) => {
    const { orgId } = c.get('auth');
    const b = c.req.valid('json');
    const contactId = await authenticateVisitor(deps.db, orgId, {
      email: b.email,
      name: b.name,
      phone: b.phone,
      avatarUrl: b.avatar_url,
      language: b.language,
      customData: b.customData,
    });
    const { token } = signVisitorToken(deps.config.secret, { org: orgId, contact: contactId });
    return c.json({ token, contact: { id: contactId } }, 200);
  });

  return app;
}
