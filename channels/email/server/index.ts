import type { ChannelServer } from '../../../src/domain/model/channel-server.ts';
import { startImapPolling } from './imap-poller.ts';
import { startMailTransports } from './mail-transports.ts';
import { resolveMailSession } from './resolve-session.ts';

// Email's server half (docs/email.md): the SMTP listener on every API process (an MX record can list several),
// IMAP polling for mailboxes the channel keeps elsewhere (elected: one poller per cluster, or two would fetch the same
// new mail before either moved the cursor), and threading by headers to find a mail's session.

export const emailServer: ChannelServer = {
  kind: 'email',
  async startIngress(deps) {
    const transports = await startMailTransports(deps, deps.config);
    return { stop: () => transports.close() };
  },
  periodic(deps) {
    if (!deps.config.mail.imapPolling) return [];
    return [
      {
        name: 'imap-polling',
        start: () => {
          const poller = startImapPolling(deps);
          return { stop: () => poller.close() };
        },
      },
    ];
  },
  resolveSession: resolveMailSession,
};
