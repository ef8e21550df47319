import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import nodemailer from 'nodemailer';
import type { MailSink } from '../email/peer/mail-sink.ts';
import type { MetaPeer } from '../whatsapp/meta/peer/meta-peer.ts';
import type { SlackPeer } from '../slack/peer/slack-peer.ts';
import { SANDBOX_NUMBERS, SANDBOX_SUPPORT_ADDRESS, type SandboxChannels } from './sandbox-channels.ts';
import type { TwilioPeer } from '../shared/twilio/peer/twilio-peer.ts';
import { ScriptedCall } from '../phone/peer/voice-caller.ts';

// The sandbox's one front door for a human with curl: play a customer on any of the channels, see what
// Switchboard sent back. Every request goes through the provider peers, so Switchboard sees exactly what the
// real providers would send (signed webhooks), and its replies go out through the real SDKs.
//   POST /sms       {"from","text"}            an SMS to the sandbox number
//   POST /whatsapp  {"from","text","via"?}     a WhatsApp message (via "meta" (default) or "twilio")
//   POST /call      {"from","say":[...]}       a phone call: each line spoken in turn, then a hang-up
//   POST /slack     {"user","text"}            a Slack DM to the support app
//   POST /email     {"from","subject","text"}  a mail to the support address, through Switchboard's SMTP listener
//   GET  /sent                                 everything Switchboard sent through the peers

const SmsBody = z.object({ from: z.string().regex(/^\+\d{7,15}$/), text: z.string().min(1).max(1600) });
const WhatsappBody = z.object({ from: z.string().regex(/^\+?\d{7,15}$/), text: z.string().min(1).max(4096), name: z.string().optional(), via: z.enum(['meta', 'twilio']).default('meta') });
const SlackBody = z.object({ user: z.string().regex(/^[UW][A-Z0-9]{2,20}$/).default('U0SANDBOX'), text: z.string().min(1).max(4000) });
const EmailBody = z.object({ from: z.email(), subject: z.string().min(1).max(200).default('Question'), text: z.string().min(1).max(20_000) });
const CallBody = z.object({ from: z.string().regex(/^\+\d{7,15}$/), say: z.array(z.string().min(1)).min(1).max(10) });

export interface SandboxConsole {
  url: string;
  close(): Promise<void>;
}

export interface SandboxPeers {
  twilio: TwilioPeer;
  meta: MetaPeer;
  slack: SlackPeer;
  mail: MailSink;
  /** Switchboard's SMTP listener. */
  smtpPort: number;
}

export async function startSandboxConsole(port: number, channels: SandboxChannels, { twilio, meta, slack, mail, smtpPort }: SandboxPeers): Promise<SandboxConsole> {
  const routes: Record<string, (body: unknown) => Promise<unknown>> = {
    'POST /sms': async (body) => {
      const { from, text } = SmsBody.parse(body);
      return twilio.sendInbound(channels.sms.webhook_urls.inbound!, { from, to: SANDBOX_NUMBERS.sms, body: text });
    },
    'POST /whatsapp': async (body) => {
      const { from, text, name, via } = WhatsappBody.parse(body);
      const digits = from.replace(/^\+/, '');
      if (via === 'meta') return meta.sendInbound({ from: digits, name: name ?? 'Sandbox customer', text });
      return twilio.sendInbound(channels.whatsappTwilio.webhook_urls.inbound!, {
        from: `+${digits}`,
        to: SANDBOX_NUMBERS.whatsapp,
        body: text,
        whatsapp: { profileName: name ?? 'Sandbox customer' },
      });
    },
    'POST /call': async (body) => {
      const { from, say } = CallBody.parse(body);
      const call = new ScriptedCall({
        voiceUrl: channels.phone.webhook_urls.voice!,
        statusUrl: channels.phone.webhook_urls.status!,
        accountSid: twilio.accountSid,
        authToken: twilio.authToken,
        from,
        to: SANDBOX_NUMBERS.phone,
      });
      const steps = [await call.start()];
      for (const line of say) {
        const step = await call.say(line);
        steps.push(step);
        if (step.dial || step.enqueue || step.hangup) break;
      }
      await call.hangup('completed');
      return { call_sid: call.callSid, heard: steps.map((s) => ({ says: s.says, dial: s.dial, enqueue: s.enqueue })) };
    },
    'POST /slack': async (body) => {
      const { user, text } = SlackBody.parse(body);
      return slack.dm(channels.slack.webhook_urls.events!, { user, text });
    },
    'POST /email': async (body) => {
      const { from, subject, text } = EmailBody.parse(body);
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
      const info = await transport.sendMail({ from, to: SANDBOX_SUPPORT_ADDRESS, subject, text });
      return { accepted: info.accepted, message_id: info.messageId };
    },
    'GET /sent': async () => ({ twilio: twilio.sent, meta: meta.sent, slack: slack.posted, email: mail.mails }),
  };
  const server = createServer((req, res) => void serveRoute(routes, req, res));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${bound}`, close: () => closeServer(server) };
}

async function serveRoute(routes: Record<string, (body: unknown) => Promise<unknown>>, req: IncomingMessage, res: ServerResponse) {
  const route = routes[`${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`];
  const send = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body, null, 2));
  };
  if (!route) return send(404, { error: `no route ${req.method} ${req.url}`, routes: Object.keys(routes) });
  try {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    send(200, await route(raw ? JSON.parse(raw) : {}));
  } catch (err) {
    send(err instanceof z.ZodError || err instanceof SyntaxError ? 400 : 502, { error: err instanceof z.ZodError ? z.prettifyError(err) : (err as Error).message });
  }
}

const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
