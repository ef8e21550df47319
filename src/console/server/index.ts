import type { Deps } from '../../deps.ts';
import { requireAuth } from '../../http/middleware/auth.ts';
import { newRouter } from '../../http/router.ts';
import { channelKindRoutes } from './channel-kinds.ts';
import { consoleAuthRoutes, DEFAULT_LOGIN_LIMITS, type LoginLimits } from './console-auth-routes.ts';
import { consoleDashboardRoutes } from './console-dashboard.ts';
import { consoleQueueRoutes } from './console-queues.ts';
import { queueBoardRoutes } from './console-queues-board.ts';
import { ConsoleSessions } from './console-sessions.ts';
import { consoleStaticRoutes, DEFAULT_ASSETS_DIR } from './console-static.ts';
import { consoleStreamRoutes, type StreamOptions } from './console-stream.ts';

// The console's server side: sign-in (a cookie instead of a bearer key), its few console-only endpoints, and
// its static files. Everything else the console does goes through the public API with the same cookie.

export interface ConsoleOptions {
  /** Shared with the API's auth middleware (app.ts), so both read the same sign-ins. */
  sessions?: ConsoleSessions;
  /** Where the UI's files are (tests serve a temporary folder). */
  assetsDir?: string;
  loginLimits?: LoginLimits;
  stream?: StreamOptions;
}

export function consoleRoutes(deps: Deps, opts: ConsoleOptions = {}) {
  const sessions = opts.sessions ?? new ConsoleSessions(deps);
  const members = requireAuth(deps.keys, ['admin', 'agent'], sessions);
  const admins = requireAuth(deps.keys, ['admin'], sessions);
  const app = newRouter();
  app.route('/', consoleAuthRoutes(deps, sessions, opts.loginLimits ?? DEFAULT_LOGIN_LIMITS));
  app.route('/', consoleStreamRoutes(deps, members, opts.stream));
  app.route('/', consoleDashboardRoutes(deps, members));
  app.route('/', channelKindRoutes(deps.channels, admins));
  app.route('/', consoleQueueRoutes(deps, admins));
  // bull-board's dashboard of the job queues, at /console/queues.
  app.route('/', queueBoardRoutes(deps, admins));
  // Last: its catch-all serves the UI's page for every other /console path.
  app.route('/', consoleStaticRoutes(opts.assetsDir ?? DEFAULT_ASSETS_DIR));
  return app;
}

export { ConsoleSessions, CONSOLE_COOKIE } from './console-sessions.ts';
export type { ConsoleSession, ConsoleAgent } from './console-sessions.ts';
export { CONSOLE_CSP } from './console-static.ts';
export type { LoginLimits } from './console-auth-routes.ts';
export type { StreamOptions } from './console-stream.ts';
