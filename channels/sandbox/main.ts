import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOptions, UsageError } from '../../src/cli/args.ts';
import { startMetaPeer } from '../whatsapp/meta/peer/meta-peer.ts';
import { startMailSink } from '../email/peer/mail-sink.ts';
import { createSandboxChannels } from './sandbox-channels.ts';
import { startSlackPeer } from '../slack/peer/slack-peer.ts';
import { startSandboxConsole } from './sandbox-console.ts';
import { startSwitchboard } from './switchboard-process.ts';
import { startTwilioPeer } from '../shared/twilio/peer/twilio-peer.ts';

// `npm run sandbox`: try the SMS, WhatsApp, phone, Slack and email channels offline. Starts a Twilio-protocol peer, a
// Meta-protocol peer, a Slack-protocol peer and Switchboard beside them (fresh data folder), creates one channel
// of each kind pointed at the peers, and prints how to play a customer with curl. Ctrl-C stops everything.

/**
 * Everything in the sandbox listens on this machine, and so do the webhook receivers or local model (Ollama…) one
 * tries it with: loopback is allowed unless OUTBOUND_ALLOW_CIDRS says otherwise (production allows none).
 */
const SANDBOX_ALLOW_CIDRS = '127.0.0.0/8,::1/128';

const HELP = `Usage: npm run sandbox -- [--port 3000] [--console-port 4000] [--twilio-port 4010] [--meta-port 4020] [--slack-port 4030]\n       [--smtp-port 2525] [--mail-sink-port 4040] [--data-dir DIR]`;

async function main(argv: string[]) {
  const o = parseOptions('sandbox', argv, {
    port: { type: 'string', default: '3000' },
    'console-port': { type: 'string', default: '4000' },
    'twilio-port': { type: 'string', default: '4010' },
    'meta-port': { type: 'string', default: '4020' },
    'slack-port': { type: 'string', default: '4030' },
    'smtp-port': { type: 'string', default: '2525' },
    'mail-sink-port': { type: 'string', default: '4040' },
    'data-dir': { type: 'string' },
    help: { type: 'boolean', default: false },
  });
  if (o.help) return void process.stdout.write(`${HELP}\n`);
  const port = (name: string, v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`sandbox: --${name} must be a port number`);
    return n;
  };
  const twilio = await startTwilioPeer({ port: port('twilio-port', o['twilio-port']) });
  const meta = await startMetaPeer({ port: port('meta-port', o['meta-port']) });
  const slack = await startSlackPeer({ port: port('slack-port', o['slack-port']) });
  const mail = await startMailSink(port('mail-sink-port', o['mail-sink-port']));
  const smtpPort = port('smtp-port', o['smtp-port']);
  const adminKey = `sb_admin_sandbox_${randomBytes(12).toString('base64url')}`;
  const dataDir = o['data-dir'] ?? mkdtempSync(join(tmpdir(), 'switchboard-sandbox-'));
  const switchboard = await startSwitchboard({ port: port('port', o.port), dataDir, adminKey, env: { OUTBOUND_ALLOW_CIDRS: SANDBOX_ALLOW_CIDRS, ...process.env, SMTP_PORT: String(smtpPort) } });
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${switchboard.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  const channels = await createSandboxChannels(admin, twilio, meta, slack, mail.port);
  const console_ = await startSandboxConsole(port('console-port', o['console-port']), channels, { twilio, meta, slack, mail, smtpPort });

  const stop = async () => {
    await console_.close();
    await switchboard.stop();
    await twilio.close();
    await meta.close();
    await slack.close();
    await mail.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());

  const c = console_.url;
  process.stdout.write(`
Switchboard sandbox is running.
  Switchboard      ${switchboard.url}   (admin key: ${adminKey}, data: ${dataDir})
  Twilio peer      ${twilio.url}   (account ${twilio.accountSid})
  Meta peer        ${meta.url}   (phone number id ${meta.phoneNumberId})
  Slack peer       ${slack.url}   (workspace ${slack.teamId})
  Sandbox console  ${c}

Be a customer:
  curl -s ${c}/sms -d '{"from":"+15557654321","text":"How do I get a refund?"}'
  curl -s ${c}/whatsapp -d '{"from":"+5511987654321","name":"Ana","text":"Olá! Where is my order?"}'
  curl -s ${c}/call -d '{"from":"+15557654321","say":["How do I get a refund?","I want to talk to a human"]}'
  curl -s ${c}/slack -d '{"user":"U0CUSTOMER","text":"Hi! How long does shipping take?"}'
  curl -s ${c}/email -d '{"from":"dana@customer.example","subject":"Refund","text":"How do I get a refund?"}'
See what Switchboard sent back:
  curl -s ${c}/sent
See the conversations:
  curl -s -H 'authorization: Bearer ${adminKey}' '${switchboard.url}/chat/sessions?limit=10'

Ctrl-C stops everything.
`);
}

main(process.argv.slice(2)).catch((err: Error) => {
  process.stderr.write(`${err instanceof UsageError ? `${err.message}\n${HELP}` : `sandbox failed: ${err.stack ?? err.message}`}\n`);
  process.exit(err instanceof UsageError ? 2 : 1);
});
