import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Context, MiddlewareHandler } from 'hono';
import type { Deps } from '../../deps.ts';
import { NotFoundError, UnauthorizedError } from '../../errors.ts';
import type { AppEnv } from '../../http/env.ts';
import { newRouter } from '../../http/router.ts';

// /console/queues: bull-board's dashboard of the installation's job queues, for admins (a console sign-in or an
// admin key). It is read-only: jobs are the promise that nothing is lost, so nobody empties, cleans or obliterates
// a queue from a browser; and bull-board's page cannot echo the console's CSRF token, so its writes would be
// refused anyway (src/http/middleware/auth.ts). Jobs carry ids only (src/queue/names.ts).

export const QUEUE_BOARD_PATH = '/console/queues';

/**
 * bull-board's page keeps a `<base href>`, a loading placeholder with inline styles and a link to a web font;
 * scripts stay our origin's only. The font is not allowed: the page falls back to the system's sans-serif.
 */
export const QUEUE_BOARD_CSP = [
  "default-src 'self'",
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

export function queueBoardRoutes(deps: Deps, admins: MiddlewareHandler<AppEnv>) {
  const adapter = new HonoAdapter(serveStatic).setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: Object.values(deps.queues).map((queue) => new BullMQAdapter(queue, { readOnlyMode: true })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'Switchboard queues' } },
  });

  const app = newRouter();
  // Hono's `/x/*` also matches `/x` itself.
  app.use(`${QUEUE_BOARD_PATH}/*`, signInFirst(admins), async (c, next) => {
    await next();
    c.header('Content-Security-Policy', QUEUE_BOARD_CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
    c.header('Referrer-Policy', 'same-origin');
    // Job lists are live: never from a cache. The UI's own files may be revalidated.
    if (!c.req.path.startsWith(`${QUEUE_BOARD_PATH}/static/`)) c.header('Cache-Control', 'no-store');
  });
  app.route(QUEUE_BOARD_PATH, adapter.registerPlugin());
  // Anything the board does not know stays a 404 here, not the console's page (console-static.ts's catch-all).
  app.all(`${QUEUE_BOARD_PATH}/*`, () => {
    throw new NotFoundError('Queue board route');
  });
  return app;
}

/** A browser opening the board without a valid sign-in is sent to the console's sign-in; API calls get the 401. */
function signInFirst(admins: MiddlewareHandler<AppEnv>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    try {
      return await admins(c, next);
    } catch (err) {
      if (err instanceof UnauthorizedError && isPageVisit(c)) return c.redirect('/console', 302);
      throw err;
    }
  };
}

function isPageVisit(c: Context<AppEnv>): boolean {
  const rest = c.req.path.slice(QUEUE_BOARD_PATH.length);
  return (
    c.req.method === 'GET' &&
    !rest.startsWith('/api/') &&
    !rest.startsWith('/static/') &&
    (c.req.header('accept') ?? '').includes('text/html')
  );
}
