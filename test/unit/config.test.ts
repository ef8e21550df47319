import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-config-'));
    const c = loadConfig({ DATA_DIR: dir });
    expect(c).toMatchObject({ port: 3000, host: '127.0.0.1', dataDir: dir, databaseUrl: undefined, redisUrl: undefined });
    expect(c.publicUrl).toBe('http://127.0.0.1:3000');
    expect(c.maxBodyBytes).toBe(1_048_576);
    expect(c.blobs.graceMs).toBe(24 * 3600 * 1000);
    expect(loadConfig({ DATA_DIR: dir, BLOB_GRACE_MS: '3600000' }).blobs.graceMs).toBe(3_600_000);
  });

  it('generates the master secret once into DATA_DIR, readable by the owner only, and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-config-'));
    const first = loadConfig({ DATA_DIR: dir }).secret;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig({ DATA_DIR: dir }).secret).toBe(first);
    expect(readFileSync(join(dir, 'secret.key'), 'utf8').trim()).toBe(first);
    expect(statSync(join(dir, 'secret.key')).mode & 0o077).toBe(0);
  });

  it.each([
    ['PORT', 'http', /^Invalid PORT="http": /],
    ['PORT', '70000', /^Invalid PORT="70000": /],
    ['DATABASE_URL', 'mysql://x', /^Invalid DATABASE_URL="mysql:\/\/x": /],
    ['REDIS_URL', 'localhost:6379', /^Invalid REDIS_URL="localhost:6379": /],
    ['PUBLIC_URL', 'ftp://example.com', /^Invalid PUBLIC_URL=/],
    ['SWITCHBOARD_BOOTSTRAP_KEY', 'short', /^Invalid SWITCHBOARD_BOOTSTRAP_KEY="short": must be at least 16 characters$/],
    ['LOG_LEVEL', 'loud', /^Invalid LOG_LEVEL="loud": /],
    ['BLOB_GRACE_MS', '1000', /^Invalid BLOB_GRACE_MS="1000": must be at least 60000 \(a minute\)$/],
    ['OUTBOUND_ALLOW_CIDRS', '127.0.0.0/8,10/8', /^Invalid OUTBOUND_ALLOW_CIDRS="127.0.0.0\/8,10\/8": "10\/8" is not a CIDR range/],
    ['OUTBOUND_ALLOW_CIDRS', 'localhost', /^Invalid OUTBOUND_ALLOW_CIDRS="localhost": "localhost" is not a CIDR range/],
  ])('refuses %s=%s with one line naming it', (name, value, expected) => {
    const attempt = () => loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'sb-config-')), [name]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(expected);
    try {
      attempt();
    } catch (err) {
      expect((err as Error).message).not.toContain('\n');
    }
  });

  it('treats empty variables as unset and strips a trailing slash from PUBLIC_URL', () => {
    const c = loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'sb-config-')), PORT: '', PUBLIC_URL: 'https://support.example.com/' });
    expect(c.port).toBe(3000);
    expect(c.publicUrl).toBe('https://support.example.com');
  });

  it('allows no internal ranges by default, and the listed ones when OUTBOUND_ALLOW_CIDRS is set', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-config-'));
    expect(loadConfig({ DATA_DIR: dir }).outbound.allowCidrs).toEqual([]);
    expect(loadConfig({ DATA_DIR: dir, OUTBOUND_ALLOW_CIDRS: ' 10.20.0.0/16, fd00::/8 ,' }).outbound.allowCidrs).toEqual(['10.20.0.0/16', 'fd00::/8']);
  });

  describe('ROLE', () => {
    const stores = { DATABASE_URL: 'postgres://sb@db.internal:5432/sb', REDIS_URL: 'redis://redis.internal:6379' };
    const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'sb-config-')), ...env });
    const refusal = (env: Record<string, string>) => {
      try {
        load(env);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as Error).message).not.toContain('\n');
        return (err as Error).message;
      }
      throw new Error(`accepted ${JSON.stringify(env)}`);
    };

    it('is all by default, with or without the stores, and api or worker when given with both stores', () => {
      expect(load({}).role).toBe('all');
      expect(load({ ROLE: 'all' }).role).toBe('all');
      expect(load({ ROLE: 'api', ...stores }).role).toBe('api');
      expect(load({ ROLE: 'worker', ...stores }).role).toBe('worker');
    });

    it('refuses api or worker without DATABASE_URL or REDIS_URL, in one line naming what is missing', () => {
      expect(refusal({ ROLE: 'worker' })).toMatch(/^ROLE=worker needs DATABASE_URL and REDIS_URL: /);
      expect(refusal({ ROLE: 'api', DATABASE_URL: stores.DATABASE_URL })).toMatch(/^ROLE=api needs REDIS_URL: /);
      expect(refusal({ ROLE: 'worker', REDIS_URL: stores.REDIS_URL })).toMatch(/^ROLE=worker needs DATABASE_URL: /);
      expect(refusal({ ROLE: 'everything' })).toMatch(/^Invalid ROLE="everything": /);
    });

    it('still reads the older WORKERS: off is ROLE=api, on changes nothing, and a contradiction is refused', () => {
      expect(load({ WORKERS: 'on' }).role).toBe('all');
      expect(load({ WORKERS: 'off', ...stores }).role).toBe('api');
      expect(load({ WORKERS: 'off', ROLE: 'api', ...stores }).role).toBe('api');
      expect(load({ WORKERS: 'on', ROLE: 'worker', ...stores }).role).toBe('worker');
      expect(refusal({ WORKERS: 'off' })).toMatch(/^WORKERS=off \(ROLE=api\) needs DATABASE_URL and REDIS_URL: /);
      expect(refusal({ WORKERS: 'off', ROLE: 'worker', ...stores })).toMatch(/^Invalid WORKERS=off: it contradicts ROLE=worker/);
      expect(refusal({ WORKERS: 'on', ROLE: 'api', ...stores })).toMatch(/^Invalid WORKERS=on: it contradicts ROLE=api/);
    });
  });
});
