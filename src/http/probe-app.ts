import { requestId } from 'hono/request-id';
import type { Deps } from '../deps.ts';
import { handleError, notFoundHandler } from './errors.ts';
import { newRouter } from './router.ts';
import { healthRoutes } from './routes/health.ts';

// What a ROLE=worker process serves on PORT: /healthz and /readyz only, for its supervisor's or orchestrator's
// probes. The API, provider webhooks, web chat sockets and the console are the api processes' (app.ts).

export function createProbeApp(deps: Deps) {
  const app = newRouter();
  app.use(requestId());
  app.onError(handleError);
  app.notFound(notFoundHandler);
  app.route('/', healthRoutes(deps));
  return app;
}
