import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { readOrCreateSecretFile } from './crypto/secret-file.ts';
import { parseCidr } from './net/address-policy.ts';
import { type Role, ROLES } from './roles/role.ts';

// The only reader of process.env. Everything else receives a frozen Config.
const port = z.coerce.number().int().min(0).max(65535);
const url = z.url({ protocol: /^https?$/ });
/** Comma-separated CIDR ranges, each checked by ipaddr.js (the parser the outbound guard uses). */
const cidrList = z.string().transform((text, ctx) => {
  const ranges = text.split(',').map((r) => r.trim()).filter(Boolean);
  for (const range of ranges) {
    try {
      parseCidr(range);
    } catch {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(range)} is not a CIDR range (e.g. 10.0.0.0/8, 127.0.0.0/8, fd00::/8)` });
      return z.NEVER;
    }
  }
  return ranges;
});

/**
 * Retention in days: `0` keeps forever; otherwise at least `min` days (events and deliveries: 2, longer than a
 * webhook's retry schedule of about 24 h; job history: 1, the day a completed job id keeps a re-add a no-op).
 */
const retentionDays = (fallback: number, min: number) =>
  z.coerce
    .number()
    .int()
    .refine((d) => d === 0 || d >= min, `must be 0 (keep forever) or at least ${min} days`)
    .default(fallback);

const envSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./.data'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  PGLITE_THREAD: z.enum(['on', 'off']).default('on'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  PGLITE_SHARED_BUFFERS: z.string().regex(/^\d+(kB|MB|GB)$/, 'a PostgreSQL size, e.g. 32MB').default('32MB'),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  PUBLIC_URL: url.optional(),
  SWITCHBOARD_BOOTSTRAP_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  SWITCHBOARD_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  QUEUE_PREFIX: z.string().regex(/^[a-z0-9_-]+$/i).default('sb'),
  SHED_AFTER_MS: z.coerce.number().int().min(0).default(1500),
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_048_576),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RELAY_INTERVAL_MS: z.coerce.number().int().positive().default(1000),
  RELAY_GRACE_MS: z.coerce.number().int().nonnegative().default(2000),
  RELAY_STALE_MS: z.coerce.number().int().positive().default(10_000),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  TURN_BURST_MS: z.coerce.number().int().nonnegative().default(700),
  SESSION_LOCK_MS: z.coerce.number().int().min(300).default(5000),
  JOB_LOCK_MS: z.coerce.number().int().min(500).default(8000),
  STALLED_CHECK_MS: z.coerce.number().int().min(100).default(3000),
  INACTIVITY_CLOSE_MS: z.coerce.number().int().positive().default(24 * 3600 * 1000),
  REOPEN_WINDOW_MS: z.coerce.number().int().nonnegative().default(24 * 3600 * 1000),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  ROLE: z.enum(ROLES).optional(),
  /** The older switch, before ROLE: `off` is ROLE=api. Kept so existing deployments start as they did. */
  WORKERS: z.enum(['on', 'off']).optional(),
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  SMTP: z.enum(['on', 'off']).default('on'),
  SMTP_PORT: port.default(2525),
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_MAX_BYTES: z.coerce.number().int().positive().default(25 * 1024 * 1024),
  SMTP_TLS_KEY_FILE: z.string().min(1).optional(),
  SMTP_TLS_CERT_FILE: z.string().min(1).optional(),
  IMAP_POLLING: z.enum(['on', 'off']).default('on'),
  EXIT_WITH_PARENT: z.enum(['on', 'off']).default('off'),
  VOICE_REPLY_WAIT_MS: z.coerce.number().int().min(100).max(12_000).default(8000),
  BLOB_GRACE_MS: z.coerce.number().int().min(60_000, 'must be at least 60000 (a minute)').default(24 * 3600 * 1000),
  OUTBOUND_ALLOW_CIDRS: cidrList.default([]),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  RETENTION_EVENTS_DAYS: retentionDays(90, 2),
  RETENTION_DELIVERIES_DAYS: retentionDays(30, 2),
  RETENTION_JOBS_DAYS: retentionDays(7, 1),
});

/** Every environment variable Switchboard reads (the README's configuration table and .env.example name them all). */
export const ENV_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export interface Config {
  /** What this process runs (src/roles/role.ts): everything, the API side, or the workers side. */
  readonly role: Role;
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  /** The embedded database's shared_buffers: most of its memory (PostgreSQL's default, 128MB, is ~130 MB of RSS more). */
  readonly pgliteSharedBuffers: string;
  /** The embedded database in a thread of its own (src/db/pglite-thread.ts), so HTTP is served while it works. */
  readonly pgliteThread: boolean;
  /** Connections this process keeps to DATABASE_URL. */
  readonly databasePoolSize: number;
  readonly redisUrl: string | undefined;
  readonly publicUrl: string;
  /** Reverse proxies in front of us that append to X-Forwarded-For (0: use the socket's peer address). */
  readonly trustProxyHops: number;
  readonly bootstrapKey: string | undefined;
  readonly secret: string;
  /** When set, GET /metrics wants `Authorization: Bearer <it>`; unset, /metrics is open like /healthz. */
  readonly metricsToken: string | undefined;
  readonly queuePrefix: string;
  readonly maxBodyBytes: number;
  readonly logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  readonly relay: { intervalMs: number; graceMs: number; staleMs: number };
  readonly shutdownTimeoutMs: number;
  /** Shut down when the process that started us dies (npm start: kill -9 of npm must not leave an orphan). */
  readonly exitWithParent: boolean;
  readonly sessions: {
    /** A customer writing on a channel within this long of their session's close reopens it; later, a new one. */
    reopenWindowMs: number;
  };
  /** The inbound SMTP listener (mail for email channels' addresses) and IMAP polling of their mailboxes. */
  readonly mail: {
    smtp: { enabled: boolean; port: number; host: string; maxBytes: number; tlsKeyFile?: string | undefined; tlsCertFile?: string | undefined };
    /** Poll the mailboxes of email channels that have IMAP settings (one process of those that run the workers: elected). */
    imapPolling: boolean;
  };
  /** Requests to URLs that users, agents, admins or customers gave (src/net/guarded-fetch.ts). */
  readonly outbound: {
    /** Internal ranges those requests may reach anyway (empty: only public unicast addresses). */
    allowCidrs: readonly string[];
  };
  readonly voice: {
    /** How long a call's webhook waits for the AI's reply before it holds the line (pause + redirect). */
    replyWaitMs: number;
  };
  readonly blobs: {
    /** A stored file no attachment names is deleted once this old (younger ones may be a message being stored). */
    graceMs: number;
  };
  /**
   * How many days the storage sweeper keeps history (null: forever): event log rows, webhook delivery attempts, and
   * completed and failed jobs in Redis (src/domain/relays/retention.ts). Events still to fan out and deliveries
   * still being retried are kept whatever their age.
   */
  readonly retention: { eventsDays: number | null; deliveriesDays: number | null; jobsDays: number | null };
  /** Ingress answers 503 + Retry-After while commits wait longer than this (ms); 0 never sheds. */
  readonly shedAfterMs: number;
  readonly workers: {
    concurrency: number;
    /** A customer's messages this close together get one answer. */
    burstMs: number;
    /** A session's turn or dispatch lock lives this long unless its holder renews it (a dead holder's lapses). */
    lockMs: number;
    /** BullMQ's job lock: a dead worker's job is retaken at most this long, plus two stall checks, after it died. */
    jobLockMs: number;
    /** How often BullMQ looks for jobs whose worker died. */
    stalledCheckMs: number;
    /** An AI-handled session quiet this long after the AI's reply closes as assumed resolved. */
    inactivityMs: number;
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; an invalid value throws one readable line naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const blanksRemoved = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(blanksRemoved);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`Invalid ${name}=${JSON.stringify(env[name] ?? '')}: ${issue.message}`);
  }
  const e = parsed.data;
  const role = resolveRole(e.ROLE, e.WORKERS);
  if (role !== 'all' && (!e.DATABASE_URL || !e.REDIS_URL)) {
    const missing = (['DATABASE_URL', 'REDIS_URL'] as const).filter((name) => !e[name]).join(' and ');
    const named = e.ROLE ? `ROLE=${role}` : `WORKERS=off (ROLE=api)`;
    throw new ConfigError(
      `${named} needs ${missing}: api and worker processes share one PostgreSQL and one Redis (the embedded ones belong to ROLE=all)`,
    );
  }
  if (Boolean(e.SMTP_TLS_KEY_FILE) !== Boolean(e.SMTP_TLS_CERT_FILE)) {
    throw new ConfigError('Invalid SMTP_TLS_KEY_FILE / SMTP_TLS_CERT_FILE: give both (STARTTLS needs the key and its certificate) or neither');
  }
  const dataDir = resolve(e.DATA_DIR);
  return Object.freeze({
    role,
    port: e.PORT,
    host: e.HOST,
    dataDir,
    databaseUrl: e.DATABASE_URL,
    pgliteSharedBuffers: e.PGLITE_SHARED_BUFFERS,
    pgliteThread: e.PGLITE_THREAD === 'on',
    databasePoolSize: e.DATABASE_POOL_SIZE,
    redisUrl: e.REDIS_URL,
    publicUrl: (e.PUBLIC_URL ?? `http://${e.HOST}:${e.PORT}`).replace(/\/+$/, ''),
    trustProxyHops: e.TRUST_PROXY_HOPS,
    bootstrapKey: e.SWITCHBOARD_BOOTSTRAP_KEY,
    secret: e.SWITCHBOARD_SECRET ?? readOrCreateSecret(dataDir),
    metricsToken: e.METRICS_TOKEN,
    queuePrefix: e.QUEUE_PREFIX,
    maxBodyBytes: e.MAX_BODY_BYTES,
    logLevel: e.LOG_LEVEL,
    relay: { intervalMs: e.RELAY_INTERVAL_MS, graceMs: e.RELAY_GRACE_MS, staleMs: e.RELAY_STALE_MS },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    exitWithParent: e.EXIT_WITH_PARENT === 'on',
    sessions: { reopenWindowMs: e.REOPEN_WINDOW_MS },
    mail: {
      smtp: {
        enabled: e.SMTP === 'on',
        port: e.SMTP_PORT,
        host: e.SMTP_HOST ?? e.HOST,
        maxBytes: e.SMTP_MAX_BYTES,
        tlsKeyFile: e.SMTP_TLS_KEY_FILE,
        tlsCertFile: e.SMTP_TLS_CERT_FILE,
      },
      imapPolling: e.IMAP_POLLING === 'on',
    },
    outbound: { allowCidrs: Object.freeze(e.OUTBOUND_ALLOW_CIDRS) },
    voice: { replyWaitMs: e.VOICE_REPLY_WAIT_MS },
    blobs: { graceMs: e.BLOB_GRACE_MS },
    retention: {
      eventsDays: e.RETENTION_EVENTS_DAYS || null,
      deliveriesDays: e.RETENTION_DELIVERIES_DAYS || null,
      jobsDays: e.RETENTION_JOBS_DAYS || null,
    },
    shedAfterMs: e.SHED_AFTER_MS,
    workers: {
      concurrency: e.WORKER_CONCURRENCY,
      burstMs: e.TURN_BURST_MS,
      lockMs: e.SESSION_LOCK_MS,
      jobLockMs: e.JOB_LOCK_MS,
      stalledCheckMs: e.STALLED_CHECK_MS,
      inactivityMs: e.INACTIVITY_CLOSE_MS,
    },
  });
}

/**
 * ROLE, or what the older WORKERS said (off: a process without the workers, which ROLE=api is). Both given must
 * agree: WORKERS=off with ROLE=all or worker, or WORKERS=on with ROLE=api, is refused rather than guessed.
 */
function resolveRole(role: Role | undefined, workers: 'on' | 'off' | undefined): Role {
  const implied: Role | undefined = workers === 'off' ? 'api' : undefined;
  if (role === undefined) return implied ?? 'all';
  if (workers !== undefined && (workers === 'off') !== (role === 'api')) {
    throw new ConfigError(`Invalid WORKERS=${workers}: it contradicts ROLE=${role} (WORKERS is the older way to say ROLE=api: remove it)`);
  }
  return role;
}

/** Without SWITCHBOARD_SECRET a master key is generated once into DATA_DIR (mode 0600) and reused. */
function readOrCreateSecret(dataDir: string): string {
  return readOrCreateSecretFile(join(dataDir, 'secret.key'), () => randomBytes(32).toString('base64url'));
}
