import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { ConsoleSessions, consoleRoutes } from '../console/server/index.ts';
import type { Deps } from '../deps.ts';
import { DEFAULT_ATTACHMENT_LIMITS } from '../domain/files/attachments.ts';
import { waitingSessionsFor } from '../domain/handling/routing.ts';
import { AppError } from '../errors.ts';
import { shedWhenBehind } from './load-shedding.ts';
import { handleError, notFoundHandler } from './errors.ts';
import { requireAuth } from './middleware/auth.ts';
import { closeOnEarlyError } from './middleware/close-on-early-error.ts';
import { httpMetrics } from './middleware/http-metrics.ts';
import { idempotency } from './middleware/idempotency.ts';
import { requestLog } from './middleware/request-log.ts';
import { newRouter } from './router.ts';
import { actionRunRoutes } from './routes/action-runs.ts';
import { actionRoutes } from './routes/actions.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { channelRoutes } from './routes/channels.ts';
import { contactRoutes } from './routes/contacts.ts';
import { mountDocs } from './routes/docs.ts';
import { fileRoutes } from './routes/files.ts';
import { webhookEndpointRoutes } from './routes/webhook-endpoints.ts';
import { agentRoutes } from './routes/agents.ts';
import { knowledgeRoutes } from './routes/knowledge.ts';
import { cannedResponseRoutes } from './routes/canned-responses.ts';
import { settingsRoutes } from './routes/settings.ts';
import { csatRoutes } from './routes/csat.ts';
import { teamRoutes } from './routes/teams.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { providerWebhookRoutes } from './routes/provider-webhooks.ts';

/** Builds the whole HTTP app from its dependencies. It never listens: src/main.ts does, tests call app.request. */
export function createApp(deps: Deps) {
  const app = newRouter();
  // Outermost, so its timing covers every middleware below.
  app.use(httpMetrics(deps.metrics));
  // Next, so it sees every answer: an error sent before the body was read closes the connection.
  app.use(closeOnEarlyError());
  app.use(requestId());
  app.use(requestLog(deps.logger));
  const limitBody = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new AppError('PAYLOAD_TOO_LARGE', `Request body exceeds ${maxSize} bytes`);
      },
    });
  const smallBodies = limitBody(deps.config.maxBodyBytes);
  // A send may carry one message's inline files (base64 is 4/3 of the bytes): it gets room for them.
  const fileBodies = limitBody(Math.ceil((DEFAULT_ATTACHMENT_LIMITS.maxMessageBytes * 4) / 3) + deps.config.maxBodyBytes);
  // Provider webhooks are small, but Meta batches can reach a few megabytes: they get the same room; so do the
  // paths a channel's own routes take files on (a widget upload).
  const filePaths = [/^\/chat\/sessions\/[^/]+\/send$/, /^\/webhooks\//, ...deps.channels.servers.flatMap((s) => s.fileBodyPaths ?? [])];
  const carriesFiles = (path: string) => filePaths.some((re) => re.test(path));
  app.use((c, next) => (carriesFiles(c.req.path) ? fileBodies : smallBodies)(c, next));
  app.onError(handleError);
  app.notFound(notFoundHandler);

  // Who may call what, in one place. Idempotency runs after auth: its keys are per organization.
  const idem = idempotency(deps.db);
  // The console signs agents in with a cookie instead of a key: the same rules apply to both (console-spec).
  const consoleSessions = new ConsoleSessions(deps);
  const members = requireAuth(deps.keys, ['admin', 'agent'], consoleSessions);
  const admins = requireAuth(deps.keys, ['admin'], consoleSessions);
  // Hono's `/x/*` also matches `/x` itself: listing both would run auth and idempotency twice.
  app.use('/chat/*', members, idem);
  // Agents work with contacts; deleting one (its sessions and messages go with it) is for admins.
  app.use('/contacts/*', (c, next) => (c.req.method === 'DELETE' ? admins : members)(c, next), idem);
  // Agents read the people they work with; only admins change them.
  const readers = (also: string[] = []): typeof admins => (c, next) =>
    (c.req.method === 'GET' || also.includes(c.req.method) ? members : admins)(c, next);
  // An agent key may PATCH only its own availability (enforced in the route).
  app.use('/agents/*', readers(['PATCH']), idem);
  app.use('/teams/*', readers(), idem);
  app.use('/canned-responses/*', readers(), idem);
  // Agents list the actions they may run in a session (the run itself is under /chat/*); admins define them.
  app.use('/actions/*', readers(), idem);
  // Open's CSAT read is for members; /csat/{token} (the rating page of an email's link) is public: its token is the key.
  app.use('/csat/scores/*', members);
  for (const path of ['/channels/*', '/api-keys/*', '/knowledge/*', '/webhook-endpoints/*', '/settings/*']) {
    app.use(path, admins, idem);
  }

  // Ingress first refuses work it could not commit in time (503 + Retry-After), before auth or any read.
  const shed = shedWhenBehind(deps.batcher, deps.config.shedAfterMs, () => deps.metrics.requestsShed.inc());
  app.use('/webhooks/*', shed);
  // (Matched by hand, not as a route of its own: a route pattern here would become the metrics' route label.)
  app.use('/chat/sessions/*', (c, next) => (c.req.method === 'POST' && c.req.path.endsWith('/send') ? shed(c, next) : next()));

  app.route('/', healthRoutes(deps));
  // Prometheus scrapes without an API key (METRICS_TOKEN, when set, guards it).
  app.route('/', metricsRoutes(deps));
  // The web console: /console (its page and files) and /console/api/* (sign-in, live stream, dashboard).
  app.route('/', consoleRoutes(deps, { sessions: consoleSessions }));
  app.route('/', sessionRoutes(deps));
  app.route('/', contactRoutes(deps));
  app.route('/', channelRoutes(deps));
  app.route('/', apiKeyRoutes(deps));
  app.route('/', webhookEndpointRoutes(deps));
  // An agent who comes online (or joins a team) is offered the sessions waiting for them at once.
  const offer = {
    onAgentAvailable: async (orgId: string, agentId: string) => {
      const waiting = await waitingSessionsFor(deps.db, orgId, agentId);
      await deps.queues.route.addBulk(
        waiting.map(({ sessionId, channel }) => ({
          name: channel,
          data: { orgId, sessionId },
          opts: { jobId: `route-${sessionId}`, removeOnComplete: true },
        })),
      );
    },
  };
  app.route('/', agentRoutes(deps, offer));
  app.route('/', teamRoutes(deps, offer));
  app.route('/', knowledgeRoutes(deps));
  app.route('/', cannedResponseRoutes(deps));
  app.route('/', actionRoutes(deps));
  app.route('/', actionRunRoutes(deps));
  app.route('/', settingsRoutes(deps));
  app.route('/', csatRoutes(deps));
  // Each channel's own routes (web chat: its widget API and demo page), with the same auth rules to hand.
  const kit = { admins, members, idempotency: idem };
  for (const server of deps.channels.servers) if (server.routes) app.route('/', server.routes(deps, kit));
  // Provider ingress: each request is authenticated by the provider's signature (the adapter's verify).
  app.route('/', providerWebhookRoutes(deps));
  // GET /files/{id} is authorized by its signed link alone.
  app.route('/', fileRoutes(deps));
  mountDocs(app, deps.config.publicUrl);
  return app;
}

export type App = ReturnType<typeof createApp>;
