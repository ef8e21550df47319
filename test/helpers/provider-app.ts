import { and, asc, eq } from 'drizzle-orm';
import { attachments, contacts, knowledge, messages } from '../../src/db/schema/index.ts';
import { startWorkers, type RunningWorkers } from '../../workers/main.ts';
import { createTestApp, type TestApp } from './app.ts';
import { freePort, listen, type ListeningApp } from './server.ts';

// A whole Switchboard listening on a real port whose PUBLIC_URL is that port (providers sign the URL), with
// workers and two knowledge articles: what provider-channel tests drive through a local provider peer.

export interface ProviderApp {
  t: TestApp;
  server: ListeningApp;
  /** Undefined when started without workers (startWorkers() starts them later). */
  workers: RunningWorkers | undefined;
  startWorkers(): void;
  publicUrl: string;
  /** POST /channels as admin; answers the created channel (fails the test on anything but 201). */
  createChannel(body: Record<string, unknown>): Promise<{ id: string; webhook_urls: Record<string, string>; [k: string]: unknown }>;
  /** A channel's messages, oldest first. */
  messagesOf(channelId: string): Promise<(typeof messages.$inferSelect)[]>;
  attachmentsOf(messageId: string): Promise<(typeof attachments.$inferSelect)[]>;
  contactOf(contactId: string): Promise<typeof contacts.$inferSelect | undefined>;
  close(): Promise<void>;
}

export async function startProviderApp(env: Record<string, string> = {}, opts: { workers?: boolean } = {}): Promise<ProviderApp> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const t = await createTestApp({ PUBLIC_URL: publicUrl, TURN_BURST_MS: '50', ...env });
  await t.database.db.insert(knowledge).values([
    { orgId: t.orgId, title: 'Refund policy', body: 'You can get a full refund within 30 days of purchase. Refunds are paid back to the original card within 5 business days.', tags: ['billing'] },
    { orgId: t.orgId, title: 'Shipping times', body: 'Orders ship within 2 business days. Delivery in Europe takes 3 to 5 days.', tags: ['shipping'] },
  ]);
  const server = await listen(t, { port });
  const db = t.database.db;
  const app: ProviderApp = {
    t,
    server,
    workers: undefined,
    startWorkers: () => {
      app.workers ??= startWorkers(t.deps, { sweepIntervalMs: 200 });
    },
    publicUrl,
    createChannel: async (body) => {
      const res = await t.json('POST', '/channels', body);
      if (res.status !== 201) throw new Error(`POST /channels answered ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body as Awaited<ReturnType<ProviderApp['createChannel']>>;
    },
    messagesOf: (channelId) => db.select().from(messages).where(eq(messages.channelId, channelId)).orderBy(asc(messages.seq)),
    attachmentsOf: (messageId) => db.select().from(attachments).where(and(eq(attachments.messageId, messageId))),
    contactOf: async (contactId) => (await db.select().from(contacts).where(eq(contacts.id, contactId)))[0],
    close: async () => {
      await app.workers?.close();
      await server.close();
      await t.close();
    },
  };
  if (opts.workers !== false) app.startWorkers();
  return app;
}
