import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/crypto/api-key.ts';
import { openDatabase, pgliteDirFor } from '../../src/db/client.ts';
import { apiKeys, organizations } from '../../src/db/schema/index.ts';
import { findFreePort } from '../../src/redis/free-port.ts';
import { openToOthers } from '../helpers/file-modes.ts';

// The CLI as users run it (bin/switchboard.js → tsx src/cli/main.ts), on an embedded database in a temp DATA_DIR.

const BIN = resolve(import.meta.dirname, '../../bin/switchboard.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let dataDir: string;
let port: number;

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const { DATABASE_URL: _db, REDIS_URL: _redis, ...inherited } = process.env;
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...inherited, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => done({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'switchboard-cli-'));
  port = await findFreePort(); // nothing listens there: the "server is running" guard stays quiet
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('switchboard CLI', () => {
  it('prints help, including the single-process caveat of the embedded database', async () => {
    const run = await cli(['help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/org create --name NAME/);
    expect(run.stdout).toMatch(/key create --org ID --role admin\|agent\|widget/);
    expect(run.stdout).toMatch(/single-process/);
  });

  it.concurrent.each([['--version'], ['-v'], ['version']])('%s prints the version in package.json and exits 0', async (flag) => {
    const { version } = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8'));
    const run = await cli([flag]);
    expect(run).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it.concurrent.each([
    [['frobnicate'], /unknown command "frobnicate"/],
    [['org'], /needs a subcommand/],
    [['org', 'create'], /--name is required/],
    [['org', 'create', '--name'], /argument missing/i],
    [['org', 'create', '--name', 'x', '--colour', 'red'], /Unknown option '--colour'/],
    [['key', 'create', '--org', 'not-a-uuid', '--role', 'admin'], /--org must be a UUID/],
    [['key', 'create', '--org', '6f1c2f5e-2a7b-4c1e-9d7e-0b7f6f0c1a2b', '--role', 'root'], /--role must be one of admin, agent, widget/],
  ])('rejects %j with a clear message and exit code 2', async (args, message) => {
    const run = await cli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('creates an organization and keys that the database really holds', async () => {
    const created = await cli(['org', 'create', '--name', 'Acme Support', '--json']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const org = JSON.parse(created.stdout) as { id: string; name: string; admin_key: string };
    expect(org).toMatchObject({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'Acme Support' });
    expect(org.admin_key).toMatch(/^sb_admin_/);

    const listed = await cli(['org', 'list', '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toContainEqual(expect.objectContaining({ id: org.id, name: 'Acme Support' }));

    const keyRun = await cli(['key', 'create', '--org', org.id, '--role', 'widget', '--name', 'Website', '--json']);
    expect(keyRun.code).toBe(0);
    const key = JSON.parse(keyRun.stdout) as { id: string; key: string; role: string };
    expect(key).toMatchObject({ role: 'widget', key: expect.stringMatching(/^sb_widget_/) });

    const unknownOrg = await cli(['key', 'create', '--org', '6f1c2f5e-2a7b-4c1e-9d7e-0b7f6f0c1a2b', '--role', 'admin']);
    expect(unknownOrg.code).toBe(1);
    expect(unknownOrg.stderr).toMatch(/no organization 6f1c2f5e/);

    // What the CLI made in DATA_DIR (the master key, the embedded database, whose files PGlite makes 0666) is
    // owner-only.
    expect(openToOthers(dataDir)).toEqual([]);
    expect(readdirSync(pgliteDirFor(dataDir)).length).toBeGreaterThan(10);

    // The CLI has exited, so the embedded database is free to open here.
    const database = await openDatabase({ pgliteDir: pgliteDirFor(dataDir) });
    try {
      const [row] = await database.db.select().from(organizations).where(eq(organizations.id, org.id));
      expect(row?.name).toBe('Acme Support');
      const keys = await database.db.select().from(apiKeys).where(eq(apiKeys.orgId, org.id));
      const byHash = new Map(keys.map((k) => [k.keyHash, k]));
      expect(byHash.get(hashApiKey(org.admin_key))).toMatchObject({ role: 'admin', revokedAt: null });
      expect(byHash.get(hashApiKey(key.key))).toMatchObject({ id: key.id, role: 'widget', name: 'Website' });
      expect(keys.some((k) => k.keyHash.includes(org.admin_key) || k.keyPrefix === org.admin_key)).toBe(false);
    } finally {
      await database.close();
    }
    // Four CLI runs, each creating and migrating an embedded database: about 14 s on an idle machine.
  }, 90_000);

  it('refuses to open the embedded database while a server answers on HOST:PORT', async () => {
    const server: Server = createServer((_req, res) => res.end(JSON.stringify({ status: 'ok' })));
    const busy = await findFreePort();
    await new Promise<void>((ok) => server.listen(busy, '127.0.0.1', ok));
    try {
      const run = await cli(['org', 'list'], { PORT: String(busy) });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/server is running .* single-process/);
    } finally {
      await new Promise((ok) => server.close(ok));
    }
  });

  it('reports an invalid environment in one line', async () => {
    const run = await cli(['org', 'list'], { PORT: 'not-a-port' });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toMatch(/^switchboard: Invalid PORT="not-a-port"/);
  });
});
