import type { MiddlewareHandler } from 'hono';
import { ForbiddenError } from '../../../src/errors.ts';
import { originAllowed } from './origin.ts';
import type { WebChannels } from './web-channel.ts';
import type { AppEnv } from '../../../src/http/env.ts';

// CORS for the widget's endpoints, per channel: an allowed Origin is echoed back (with Vary), a disallowed one is
// refused with a 403 that says how to allow it. Preflights are answered here.

export function widgetOrigin(channels: WebChannels, publicUrl: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const publicId = c.req.param('publicId');
    const channel = await channels.get(publicId ?? '');
    const origin = c.req.header('origin');
    if (!originAllowed(origin, channel.config.allowed_origins, publicUrl, c.req.header('host'))) {
      throw new ForbiddenError(`Origin ${origin} may not use this chat: add it to the channel's allowed_origins`);
    }
    if (c.req.method === 'OPTIONS') {
      return c.body(null, 204, {
        'Access-Control-Allow-Origin': origin ?? '*',
        'Access-Control-Allow-Methods': 'GET, POST',
        'Access-Control-Allow-Headers': 'authorization, content-type',
        'Access-Control-Max-Age': '600',
        Vary: 'Origin',
      });
    }
    await next();
    if (origin) {
      c.res.headers.set('Access-Control-Allow-Origin', origin);
      c.res.headers.append('Vary', 'Origin');
      c.res.headers.set('Access-Control-Expose-Headers', 'Retry-After');
    }
  };
}
