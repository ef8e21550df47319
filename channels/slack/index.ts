import type { AdapterModule, RawWebhook } from '../../src/domain/model/adapter.ts';
import { WebhookAuthError } from '../../src/errors.ts';
import {
  slackCapabilities,
  type SlackConfig,
  slackConfigSchema,
  slackCredentialDestinations,
  slackSecretFields,
  slackWebhookPaths,
} from './config.ts';
import { createContactLookup } from './contact.ts';
import { createEventApp } from './event-app.ts';
import { createMediaFetcher } from './media.ts';
import { installCallback, installRedirect } from './oauth.ts';
import { parseEvents } from './parse-events.ts';
import { parseInteraction, responder } from './interactions.ts';
import { createSender } from './send.ts';
import { verifySlackSignature } from './verify.ts';
import { createClientPool } from './web-client.ts';

// Slack (docs/slack.md): customers — or a partner's team in a shared channel — write to the support app; DMs
// and channel threads become sessions and replies go back into the same thread. Four webhook paths: the Events
// API and Interactivity (both signed by Slack; interactivity answers the CSAT buttons), and the two browser legs of "Add to Slack" (OAuth), which carry no Slack signature —
// the callback is checked by its state in parse().

export type { SlackConfig } from './config.ts';

const paths = slackWebhookPaths;

export const slackAdapter: AdapterModule<SlackConfig> = {
  kind: 'slack',
  providers: ['slack'],
  label: 'Slack',
  configSchema: slackConfigSchema,
  secretFields: slackSecretFields,
  credentialDestinations: slackCredentialDestinations,
  webhookPaths: paths,
  capabilities: slackCapabilities,
  create: (config, deps, channel) => {
    const clients = createClientPool(config, deps);
    let events: ReturnType<typeof createEventApp> | undefined;
    const eventApp = () => (events ??= createEventApp(config, deps, channel.id));
    return {
      kind: 'slack',
      capabilities: slackCapabilities,
      verify: async (req: RawWebhook) => {
        if (req.subPath === paths.events || req.subPath === paths.interactions) return verifySlackSignature(config.signing_secret, req, deps.now());
        if (req.subPath === paths.install || req.subPath === paths.oauth_redirect) return;
        throw new WebhookAuthError(`Slack channels take no webhooks at /${req.subPath}`);
      },
      parse: async (req: RawWebhook) => {
        if (req.subPath === paths.install) return installRedirect(config, channel, deps.now());
        if (req.subPath === paths.oauth_redirect) return installCallback(config, deps, channel, clients, req);
        if (req.subPath === paths.events) return parseEvents(eventApp(), req);
        if (req.subPath === paths.interactions) return parseInteraction(req, responder(config.api_base_url, deps.fetch));
        return { type: 'ignored', reason: `no Slack webhook at /${req.subPath}` };
      },
      send: createSender(config, deps, clients),
      fetchMedia: createMediaFetcher(config, deps),
      lookupContact: createContactLookup(config, clients),
    };
  },
};
