import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { startTwilioPeer, type TwilioPeer } from '../../channels/shared/twilio/peer/twilio-peer.ts';
import { setUpSms } from '../chaos/chaos-run.ts';
import { scratchDatabase } from '../chaos/database.ts';
import { freePort, redisProcess, serverProcess, type Restartable } from '../chaos/processes.ts';
import { type Api, apiConversation, type Balancer, type Conversation, converse, smsConversation } from './conversations.ts';
import { electionHolders, waitFor } from './elections.ts';

// One topology run: two ROLE=api and two ROLE=worker processes (real OS processes) on a PostgreSQL database and a
// redis-server of their own; API and SMS conversations through both api processes; once 40 % of the questions are
// answered, kill -9 of one api process and of the worker holding the outbox relay's election. Then: was every
// question answered once and in order, did the survivors carry on, and who holds each election before and after.

export interface TopologyOptions {
  databaseUrl: string;
  apiConversations: number;
  smsConversations: number;
  questionsEach: number;
  log?: (msg: string) => void;
}

export interface TopologyFigures {
  questions: number;
  answered: number;
  /** Conversations whose history is not question, answer, question, answer… (a reply missing, twice, or early). */
  outOfOrder: string[];
  /** Texts the SMS customers got beyond one per question. */
  duplicateTexts: number;
  /** Per api process (the first is killed): questions it acknowledged before and after the kill. */
  acked: Array<{ before: number; after: number }>;
  /** Elected job → the process holding it ('worker-0', 'worker-1', 'api-0', … or 'none'). */
  leadersBefore: Record<string, string>;
  leadersAfter: Record<string, string>;
  /** From the kill until the surviving worker held every election. */
  takeoverMs: number;
  /** What a worker process answers on PORT: /healthz, /readyz, /metrics and an API route. */
  workerHttp: { healthz: number; readyz: number; metrics: number; api: number };
  seconds: number;
}

export async function runTopology(opts: TopologyOptions): Promise<TopologyFigures> {
  const log = opts.log ?? (() => {});
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'sb-topology-'));
  const database = await scratchDatabase(opts.databaseUrl, 'sb_topology');
  const redisServer = await redisProcess(join(work, 'redis'));
  const processes: Array<{ name: string; proc: Restartable }> = [];
  let peer: TwilioPeer | undefined;
  let redis: Redis | undefined;
  try {
    await redisServer.start();
    redis = new Redis(redisServer.url);
    peer = await startTwilioPeer();
    const key = `sb_topology_${randomBytes(16).toString('base64url')}`;
    const ports = await Promise.all([0, 1, 2, 3].map(() => freePort()));
    const common = {
      HOST: '127.0.0.1',
      DATA_DIR: join(work, 'data'),
      DATABASE_URL: database.url,
      REDIS_URL: redisServer.url,
      SWITCHBOARD_BOOTSTRAP_KEY: key,
      SWITCHBOARD_SECRET: randomBytes(32).toString('base64url'),
      TURN_BURST_MS: '50',
      // A dead worker's jobs and sessions are taken again within a few seconds.
      JOB_LOCK_MS: '2000',
      STALLED_CHECK_MS: '1000',
      SESSION_LOCK_MS: '1500',
    };
    const apiUrl = (i: number) => `http://127.0.0.1:${ports[i]!}`;
    const supervise = async (name: string, env: Record<string, string>) => {
      const proc = await serverProcess({ ...common, ...env });
      processes.push({ name, proc });
      return proc;
    };
    const apis = [0, 1].map((i) => supervise(`api-${i}`, { ROLE: 'api', PORT: String(ports[i]), PUBLIC_URL: apiUrl(i) }));
    // Workers build status callback URLs from PUBLIC_URL: the api process that stays up (in production, the balancer).
    const workers = [0, 1].map((i) =>
      supervise(`worker-${i}`, { ROLE: 'worker', PORT: String(ports[2 + i]), PUBLIC_URL: apiUrl(1), IMAP_POLLING: 'on' }),
    );
    const [api0, api1, worker0, worker1] = await Promise.all([...apis, ...workers]);
    // The first api process migrates and creates the organization; the others start once it has.
    await api0!.start();
    await Promise.all([api1!.start(), worker0!.start(), worker1!.start()]);
    log(`api ${api0!.url} ${api1!.url}, worker ${worker0!.url} ${worker1!.url}, redis ${redisServer.url}, database ${database.name}`);

    const status = (url: string) => fetch(url, { signal: AbortSignal.timeout(2000) }).then((r) => r.status, () => 0);
    const workerHttp = {
      healthz: await status(`${worker0!.url}/healthz`),
      readyz: await status(`${worker0!.url}/readyz`),
      metrics: await status(`${worker0!.url}/metrics`),
      api: await status(`${worker0!.url}/chat/sessions`),
    };

    const inbound = await setUpSms(api0!.url, key, peer);
    const admin = (method: string, path: string, body: unknown) =>
      fetch(`${api0!.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { id?: string } }));
    // The same question again and again would count as the AI failing; allow it for the run.
    const patched = await admin('PATCH', '/settings/ai', { handoff: { max_failed_attempts: 20 } });
    if (patched.status !== 200) throw new Error(`PATCH /settings/ai answered ${patched.status}`);

    const lb: Balancer = { apis: [api0!, api1!].map((p): Api => ({ url: p.url, acked: { before: 0, after: 0 }, down: false })), killed: false };
    const conversations: Array<{ c: Conversation; sessionOf: () => Promise<string | undefined> }> = [];
    for (let i = 0; i < opts.apiConversations; i++) {
      const created = await admin('POST', '/chat/sessions', {});
      if (created.status !== 201 || !created.body.id) throw new Error(`POST /chat/sessions answered ${created.status}`);
      const id = created.body.id;
      conversations.push({ c: apiConversation(lb, database.sql, key, id), sessionOf: async () => id });
    }
    const webhookPath = new URL(inbound).pathname;
    for (let i = 0; i < opts.smsConversations; i++) {
      const c = smsConversation(lb, peer, webhookPath, `+1555${String(2_000_000 + i).slice(1)}`);
      // Its messages by their sids: all in one session, or the run counts it out of order.
      const sessionOf = async () => {
        const rows = await database.sql<Array<{ id: string }>>`
          select distinct session_id as id from messages where direction = 'in' and external_id in ${database.sql(c.sids)}`;
        return rows.length === 1 ? rows[0]!.id : undefined;
      };
      conversations.push({ c, sessionOf });
    }

    const leaders = () => electionHolders(redis!, 'sb', processes);
    await waitFor(async () => Object.values(await leaders()).every((h) => h !== 'none'), 15_000, 'every job elected');
    const leadersBefore = await leaders();

    const questions = conversations.length * opts.questionsEach;
    let answered = 0;
    let loadDone = false;
    let takeoverMs = -1;
    const killing = (async () => {
      while (answered < questions * 0.4 && !loadDone) await sleep(20);
      if (loadDone) return; // the load failed before the kill: the figures say so
      const [doomed, survivor] = leadersBefore['outbox-relay'] === 'worker-0' ? ['worker-0', 'worker-1'] : ['worker-1', 'worker-0'];
      const at = Date.now();
      lb.killed = true;
      await Promise.all([(doomed === 'worker-0' ? worker0! : worker1!).kill9(), api0!.kill9()]);
      log(`kill -9 of api-0 and ${doomed} (the outbox relay's holder) at ${answered}/${questions} answered`);
      await waitFor(async () => Object.values(await leaders()).every((h) => h === survivor), 20_000, `${survivor} elected for every job`);
      takeoverMs = Date.now() - at;
    })().then(
      () => undefined,
      (err: unknown) => err,
    );
    const load = await Promise.all(conversations.map(({ c }) => converse(c, opts.questionsEach, 30_000, () => answered++))).finally(
      () => (loadDone = true),
    );
    const killFailed = await killing;
    if (killFailed) throw killFailed;
    await sleep(2000); // a late second reply would show here

    const outOfOrder: string[] = [];
    for (const { c, sessionOf } of conversations) {
      const session = await sessionOf();
      const rows: Array<{ sender: string }> = session
        ? [
            ...(await database.sql<Array<{ sender: string }>>`
              select sender from messages where session_id = ${session} and event_type = 'message' and private = false order by seq`),
          ]
        : [];
      const expected = Array.from({ length: opts.questionsEach }, () => ['contact', 'ai']).flat();
      if (rows.map((r) => r.sender).join(',') !== expected.join(',')) outOfOrder.push(`${c.label}: ${rows.map((r) => r.sender).join(',')}`);
    }
    const texts = new Map<string, number>();
    for (const s of peer.sent) texts.set(s.to, (texts.get(s.to) ?? 0) + 1);
    return {
      questions,
      answered: load.reduce((n, k) => n + k, 0),
      outOfOrder,
      duplicateTexts: [...texts.values()].reduce((n, k) => n + Math.max(0, k - opts.questionsEach), 0),
      acked: lb.apis.map((a) => a.acked),
      leadersBefore,
      leadersAfter: await leaders(),
      takeoverMs,
      workerHttp,
      seconds: Math.round((Date.now() - started) / 1000),
    };
  } catch (err) {
    for (const p of processes) log(`${p.name} log:\n${p.proc.log().slice(-3000)}`);
    throw err;
  } finally {
    await Promise.all(processes.map((p) => p.proc.stop().catch(() => {})));
    redis?.disconnect();
    await peer?.close().catch(() => {});
    await redisServer.stop().catch(() => {});
    await database.drop();
    rmSync(work, { recursive: true, force: true });
  }
}
