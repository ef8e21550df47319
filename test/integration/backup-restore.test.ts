import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgliteDirFor } from '../../src/db/client.ts';
import { findFreePort } from '../../src/redis/free-port.ts';

// `switchboard backup` / `restore` as users run them (bin/switchboard.js), on embedded databases in temp DATA_DIRs:
// an organization survives the round trip into a fresh DATA_DIR, and each refusal leaves the data as it was.

const BIN = resolve(import.meta.dirname, '../../bin/switchboard.js');
const SECRET = 'backup-test-secret-backup-test-secret-0123';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let work: string;
let port: number;

function cli(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const { DATABASE_URL: _db, REDIS_URL: _redis, ...inherited } = process.env;
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...inherited, DATA_DIR: dataDir, PORT: String(port), SWITCHBOARD_SECRET: SECRET, LOG_LEVEL: 'warn', ...env }, timeout: 90_000 },
      (err, stdout, stderr) => done({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const orgNames = async (dataDir: string) => {
  const run = await cli(dataDir, ['org', 'list', '--json']);
  expect(run.stderr).toBe('');
  return (JSON.parse(run.stdout) as Array<{ name: string }>).map((o) => o.name);
};

let source: string;
let file: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'switchboard-backup-'));
  port = await findFreePort(); // nothing listens there: the "server is running" guard stays quiet
  source = join(work, 'source');
  file = join(work, 'backups', 'switchboard.tar.gz');
  const created = await cli(source, ['org', 'create', '--name', 'Backed Up Inc', '--json']);
  expect(created.code, created.stderr).toBe(0);
}, 90_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('switchboard backup and restore', () => {
  it('backs up a data dir and restores it into a fresh one, with its organization', async () => {
    const backedUp = await cli(source, ['backup', '--out', file]);
    expect(backedUp.code, backedUp.stderr).toBe(0);
    expect(backedUp.stdout).toMatch(/Backed up the embedded database .* to .*switchboard\.tar\.gz/);
    expect(backedUp.stderr).toMatch(/master key/);
    const bytes = readFileSync(file);
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]); // gzip
    expect(statSync(file).mode & 0o077).toBe(0); // it holds the whole database: owner-only
    expect(readdirSync(join(work, 'backups'))).toEqual(['switchboard.tar.gz']); // no partial file left

    const target = join(work, 'target');
    const restored = await cli(target, ['restore', '--in', file]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/Restored .* \(1 organization\)/);
    expect(await orgNames(target)).toEqual(['Backed Up Inc']);
  }, 120_000);

  it('refuses to restore over a database unless --force, and then keeps the old one aside', async () => {
    const target = join(work, 'occupied');
    expect((await cli(target, ['org', 'create', '--name', 'Already Here'])).code).toBe(0);

    const refused = await cli(target, ['restore', '--in', file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already holds a database.*--force/);
    expect(await orgNames(target)).toEqual(['Already Here']);

    const forced = await cli(target, ['restore', '--in', file, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(await orgNames(target)).toEqual(['Backed Up Inc']);
    const aside = readdirSync(target).filter((name) => name.startsWith('pglite.replaced-'));
    expect(aside).toHaveLength(1);
    expect(forced.stdout).toContain(aside[0]);
    expect(existsSync(join(target, aside[0]!, 'PG_VERSION'))).toBe(true);
  }, 120_000);

  it('refuses a file that is not a backup, leaving the data dir as it was', async () => {
    const target = join(work, 'untouched');
    const junk = join(work, 'junk.tar.gz');
    writeFileSync(junk, 'not a tarball');
    const notGzip = await cli(target, ['restore', '--in', junk]);
    expect(notGzip.code).toBe(1);
    expect(notGzip.stderr).toMatch(/not a backup made by `switchboard backup`/);

    // gzip, but not PGlite's data folder inside: refused after loading, and nothing is left behind.
    writeFileSync(junk, Buffer.from('1f8b0800000000000003030000000000000000', 'hex'));
    const notDatabase = await cli(target, ['restore', '--in', junk]);
    expect(notDatabase.code).toBe(1);
    expect(notDatabase.stderr).toMatch(/not a backup made by `switchboard backup`/);
    expect(existsSync(pgliteDirFor(target))).toBe(false);
    expect(readdirSync(target).filter((name) => name.startsWith('pglite'))).toEqual([]);

    const missing = await cli(target, ['restore', '--in', join(work, 'nope.tar.gz')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no such file/);
  }, 90_000);

  it('refuses to back up or restore while a server answers on HOST:PORT', async () => {
    const server: Server = createServer((_req, res) => res.end(JSON.stringify({ status: 'ok' })));
    const busy = await findFreePort();
    await new Promise<void>((ok) => server.listen(busy, '127.0.0.1', ok));
    try {
      const out = join(work, 'while-running.tar.gz');
      const backedUp = await cli(source, ['backup', '--out', out], { PORT: String(busy) });
      expect(backedUp.code).toBe(1);
      expect(backedUp.stderr).toMatch(/server is running/);
      expect(existsSync(out)).toBe(false);
      const restored = await cli(join(work, 'while-running'), ['restore', '--in', file], { PORT: String(busy) });
      expect(restored.code).toBe(1);
      expect(restored.stderr).toMatch(/server is running/);
      expect(existsSync(pgliteDirFor(join(work, 'while-running')))).toBe(false);
    } finally {
      await new Promise((ok) => server.close(ok));
    }
  });

  it('with DATABASE_URL, names the pg_dump and pg_restore commands instead (without the password)', async () => {
    const env = { DATABASE_URL: 'postgres://switchboard:hunter2-secret@db.example:5432/switchboard' };
    const dir = join(work, 'postgres');
    mkdirSync(dir);
    const backedUp = await cli(dir, ['backup', '--out', 'nightly.dump'], env);
    expect(backedUp.code).toBe(1);
    expect(backedUp.stderr).toMatch(/pg_dump --format=custom --file=\S*nightly\.dump "\$DATABASE_URL"/);
    const restored = await cli(dir, ['restore', '--in', 'nightly.dump'], env);
    expect(restored.code).toBe(1);
    expect(restored.stderr).toMatch(/pg_restore .*--dbname="\$DATABASE_URL" \S*nightly\.dump/);
    expect(backedUp.stderr + restored.stderr).not.toContain('hunter2');
  });

  it('wants --out and --in', async () => {
    const backedUp = await cli(source, ['backup']);
    expect(backedUp.code).toBe(2);
    expect(backedUp.stderr).toMatch(/backup: --out is required/);
    const restored = await cli(source, ['restore', '--in', file, 'extra']);
    expect(restored.code).toBe(2);
    expect(restored.stderr).toMatch(/unexpected argument "extra"/);
  });

  it('says so when there is no database to back up', async () => {
    const run = await cli(join(work, 'empty'), ['backup', '--out', join(work, 'empty.tar.gz')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no embedded database/);
  });
});
