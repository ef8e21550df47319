import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENV_VARIABLES, loadConfig } from '../../src/config.ts';

// Docker does not run where the tests run, so the container files are checked as text: compose.yaml sets only
// variables src/config.ts reads, with values it accepts; the Dockerfile starts the built entry point as a user who
// is not root, and its health check asks /readyz (the check's own command is run here against a local server).
// compose.yaml is parsed with `yaml` (in node_modules through @hono/zod-openapi's openapi3-ts), with YAML 1.1
// merge keys on, as Compose reads them.

const root = resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(resolve(root, file), 'utf8');

type Service = { build?: unknown; image?: string; command?: string[]; environment?: Record<string, unknown> | string[] };
const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, Service> };
const ours = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);

function environment(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((line) => [line.split('=')[0]!, line.slice(line.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v ?? '')]));
}

/** Compose's `${VAR:?message}` and `${VAR:-default}`, with the values an operator would give. */
function interpolate(value: string, given: Record<string, string>): string {
  return value.replace(/\$\{([A-Z_][A-Z0-9_]*)(?::([?-])([^}]*))?\}/g, (_, name: string, op?: string, rest?: string) => {
    if (given[name] !== undefined) return given[name]!;
    if (op === '?') throw new Error(`compose.yaml requires ${name}, the test gives none`);
    return op === '-' ? (rest ?? '') : '';
  });
}

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions (comments dropped, `\` continuations joined), split into stages at each FROM. */
function dockerfileStages(): Instruction[][] {
  const text = read('Dockerfile')
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const stages: Instruction[][] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const instruction = { keyword: match[1]!, args: match[2]!.trim() };
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)!.push(instruction);
  }
  return stages;
}

const stages = dockerfileStages();
const runtime = stages.at(-1)!;
const one = (stage: Instruction[], keyword: string) => {
  const found = stage.filter((i) => i.keyword === keyword);
  expect(found, `one ${keyword} in the stage`).toHaveLength(1);
  return found[0]!.args;
};

describe('compose.yaml', () => {
  it('runs PostgreSQL, Redis with the append-only file on, two api and two worker processes of our image', () => {
    expect(compose.services.postgres?.image).toMatch(/^postgres:1[56]\b/);
    expect(compose.services.redis?.command?.join(' ')).toContain('--appendonly yes');
    const roles = ours.map(([, s]) => environment(s).ROLE).sort();
    expect(roles).toEqual(['api', 'api', 'worker', 'worker']);
  });

  it('sets only variables that src/config.ts reads', () => {
    expect(ours.length).toBe(4);
    for (const [name, service] of ours) {
      const unknown = Object.keys(environment(service)).filter((v) => !ENV_VARIABLES.includes(v));
      expect(unknown, `${name}: variables src/config.ts does not read`).toEqual([]);
    }
  });

  it("gives each process a configuration src/config.ts accepts, on the shared PostgreSQL and Redis", () => {
    const given = { POSTGRES_PASSWORD: 'pw', SWITCHBOARD_SECRET: 's'.repeat(40) };
    for (const [name, service] of ours) {
      const env = Object.fromEntries(Object.entries(environment(service)).map(([k, v]) => [k, interpolate(v, given)]));
      const config = loadConfig(env);
      expect(config.role, name).toBe(env.ROLE);
      expect(config.databaseUrl, name).toBe('postgres://switchboard:pw@postgres:5432/switchboard');
      expect(config.redisUrl, name).toBe('redis://redis:6379');
      expect(config.secret, name).toBe(given.SWITCHBOARD_SECRET);
      expect(config.host, `${name} listens beyond the container's loopback`).toBe('0.0.0.0');
    }
  });

  it('refuses to start without the secrets rather than using defaults', () => {
    const env = environment(ours[0]![1]);
    expect(() => interpolate(env.SWITCHBOARD_SECRET!, {})).toThrow(/SWITCHBOARD_SECRET/);
    expect(() => interpolate(env.DATABASE_URL!, {})).toThrow(/POSTGRES_PASSWORD/);
  });
});

describe('Dockerfile', () => {
  it('builds on node:20-slim: npm ci and npm run build in the build stage, production dependencies only at run time', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage[0]!.args).toMatch(/^node:20-slim\b/);
    const build = stages[0]!.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(build.some((r) => /\bnpm ci\b/.test(r) && !r.includes('--omit=dev'))).toBe(true);
    expect(build.some((r) => /\bnpm run build\b/.test(r))).toBe(true);
    // The runtime's node_modules come from a stage that installed with --omit=dev.
    const copied = runtime.find((i) => i.keyword === 'COPY' && /\/node_modules\b/.test(i.args));
    const from = /--from=(\S+)/.exec(copied?.args ?? '')?.[1];
    const source = stages.find((s) => new RegExp(`\\bAS\\s+${from}$`, 'i').test(s[0]!.args));
    expect(source?.some((i) => i.keyword === 'RUN' && /\bnpm ci\b.*--omit=dev/.test(i.args))).toBe(true);
  });

  it("starts the built entry point, node dist/src/main.js", () => {
    expect(JSON.parse(one(runtime, 'CMD'))).toEqual(['node', 'dist/src/main.js']);
  });

  it('runs as a user that is not root, who owns DATA_DIR', () => {
    const user = one(runtime, 'USER');
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    const dataDir = /\bDATA_DIR=(\S+)/.exec(runtime.filter((i) => i.keyword === 'ENV').map((i) => i.args).join(' '))?.[1];
    expect(dataDir).toBeTruthy();
    const runs = runtime.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs.some((r) => r.includes(`chown ${user}:${user} ${dataDir}`) || r.includes(`chown ${user} ${dataDir}`))).toBe(true);
    // USER comes before CMD, so the server starts as that user.
    expect(runtime.findIndex((i) => i.keyword === 'USER')).toBeLessThan(runtime.findIndex((i) => i.keyword === 'CMD'));
  });

  it('sets only variables that src/config.ts reads', () => {
    const names = runtime.filter((i) => i.keyword === 'ENV').flatMap((i) => [...i.args.matchAll(/([A-Z_][A-Z0-9_]*)=/g)].map((m) => m[1]!));
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((v) => !ENV_VARIABLES.includes(v))).toEqual([]);
  });

  it('checks health with node against /readyz: healthy on 200, unhealthy on 503 or no answer', async () => {
    const check = JSON.parse(one(runtime, 'HEALTHCHECK').replace(/^.*?\bCMD\s+/, '')) as string[];
    expect(check[0]).toBe('node');
    expect(check.join(' ')).toContain('/readyz');
    let status = 200;
    const asked: string[] = [];
    const server = createServer((req, res) => {
      asked.push(req.url ?? '');
      res.writeHead(status).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = String((server.address() as AddressInfo).port);
    const run = (env: Record<string, string>) =>
      promisify(execFile)(process.execPath, check.slice(1), { env: { ...process.env, ...env }, timeout: 10_000 }).then(
        () => 0,
        (err: { code?: number }) => err.code ?? -1,
      );
    try {
      expect(await run({ PORT: port })).toBe(0);
      status = 503;
      expect(await run({ PORT: port })).toBe(1);
      expect(asked).toEqual(['/readyz', '/readyz']);
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(await run({ PORT: port })).toBe(1);
  });
});

describe('.dockerignore', () => {
  it('keeps local state, secrets and the host node_modules out of the build context', () => {
    const lines = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const entry of ['node_modules', '.data', '.git', '.env']) expect(lines).toContain(entry);
  });
});
