import { LogLevel, webApi } from '@slack/bolt';
import type { AdapterDeps } from '../../src/domain/model/adapter.ts';
import { DeliveryError } from '../../src/errors.ts';
import { type SlackConfig, slackApiUrl } from './config.ts';

// Web API clients, one per bot token (a channel serves every workspace that installed it), kept for the adapter
// instance's life. @slack/web-api would wait out a 429 and retry for half an hour on its own; core's queue
// decides when to retry instead, so rate limits and failures surface at once (rejectRateLimitedCalls, 0 retries).
// HTTP goes through deps.fetch, to api_base_url.

export type SlackWebClient = InstanceType<typeof webApi.WebClient>;

export function createClientPool(config: SlackConfig, deps: AdapterDeps) {
  const clients = new Map<string, SlackWebClient>();
  const make = (token: string | undefined) =>
    new webApi.WebClient(token, {
      slackApiUrl: slackApiUrl(config),
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 0 },
      logLevel: LogLevel.ERROR,
      fetch: deps.fetch,
    });
  return {
    forToken(token: string): SlackWebClient {
      let client = clients.get(token);
      if (!client) clients.set(token, (client = make(token)));
      return client;
    },
    /** For oauth.v2.access, which authenticates with the client id and secret instead of a token. */
    withoutToken(): SlackWebClient {
      return make(undefined);
    },
  };
}

export type ClientPool = ReturnType<typeof createClientPool>;

/**
 * Starts the SDK call unless `signal` has aborted, and stops waiting for it when it does: the client has no
 * per-call signal (and is shared), so an aborted request finishes or fails on its own.
 */
export function abortable<T>(start: () => Promise<T>, signal: AbortSignal): Promise<T> {
  const aborted = () => new DeliveryError('slack: aborted', 'later', { cause: signal.reason });
  if (signal.aborted) return Promise.reject(aborted());
  const call = start();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    call.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
