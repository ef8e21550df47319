import { requestId } from 'hono/request-id';
import type { Deps } from '../deps.ts';
import { handleError, notFoundHandler } from './errors.ts';
import { newRouter } from './router.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';

// What a ROLE=worker process serves on PORT: /healthz and /readyz for its supervisor's or orchestrator's probes,
// and /metrics (its turns, dispatches and webhook deliveries are counted here, not in the api processes). The API, provider webhooks, web chat sockets and the console are the api processes' (app.ts).

export function createProbeApp(deps: Deps) {
  const app = newRouter();
  app.use(requestId());
  app.onError(handleError);
  app.notFound(notFoundHandler);
  app.route('/', healthRoutes(deps));
  app.route('/', metricsRoutes(deps));
  return app;
}
