import type { ChannelServer } from '../../../src/domain/model/channel-server.ts';
import { newRouter } from '../../../src/http/router.ts';
import { demoRoutes } from './demo-routes.ts';
import { widgetAuthRoutes } from './widget-auth-routes.ts';
import { widgetRoutes } from './widget-routes.ts';
import { createWidgetGateway } from './ws-gateway.ts';

// Web chat's server half (docs/web-chat.md): the widget's HTTP API (visitor tokens, history, uploads: no API keys,
// each channel's allowed origins), POST /widget/authenticate-user for the customer's server (an admin key), the demo
// page, and the widget's sockets, which share the HTTP server's port.

export const webServer: ChannelServer = {
  kind: 'web',
  routes(deps, kit) {
    const app = newRouter();
    // Called by the customer's server with an admin key, never by a browser.
    app.use('/widget/authenticate-user', kit.admins, kit.idempotency);
    app.route('/', widgetAuthRoutes(deps));
    app.route('/', widgetRoutes(deps));
    app.route('/', demoRoutes(deps));
    return app;
  },
  // A visitor's message may carry files.
  fileBodyPaths: [/^\/widget\/[^/]+\/messages$/],
  async startIngress(deps, http) {
    // Replies reach the sockets through Redis from any process (src/realtime/publisher.ts).
    const gateway = createWidgetGateway(deps);
    http.on('upgrade', gateway.handleUpgrade);
    return { stop: () => gateway.close() };
  },
};
