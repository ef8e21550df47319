import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAddressPolicy } from '../../src/net/address-policy.ts';
import type { LookupAll } from '../../src/net/guarded-connector.ts';
import { createOutboundClient, type OutboundClient } from '../../src/net/guarded-fetch.ts';
import { blockedAddressIn, RedirectError, tooLargeIn } from '../../src/net/outbound-errors.ts';
import { type RecordingPeer, startRecordingPeer } from '../peers/recording-peer.ts';

// Redirects, TLS and limits of the outbound guard, against real local peers. Peer A listens on 127.0.0.2, which a
// narrow OUTBOUND_ALLOW_CIDRS-style range (127.0.0.2/32) allows; the internal peer listens on 127.0.0.1, which it
// does not: every redirect hop is checked like the first request.

let internal: RecordingPeer;
let a: RecordingPeer;
const clients: OutboundClient[] = [];
const client = (allow = ['127.0.0.2/32'], extra: { lookup?: LookupAll; ca?: string } = {}) => {
  clients.push(createOutboundClient({ policy: createAddressPolicy(allow), ...extra }));
  return clients.at(-1)!;
};

beforeAll(async () => {
  internal = await startRecordingPeer(undefined, '127.0.0.1');
  a = await startRecordingPeer((req, res) => {
    const hops = Number(/hops=(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
    if (req.url === '/to-internal') res.writeHead(302, { location: `http://127.0.0.1:${internal.port}/secret` }).end();
    else if (req.url === '/to-ftp') res.writeHead(302, { location: 'ftp://127.0.0.2/file' }).end();
    else if (hops > 0) res.writeHead(302, { location: `/loop?hops=${hops - 1}` }).end();
    else if (req.url === '/big') res.writeHead(200).end(Buffer.alloc(5000, 1));
    else if (req.url === '/big-declared') res.writeHead(200, { 'content-length': '5000' }).end(Buffer.alloc(5000, 1));
    else if (req.url === '/slow') setTimeout(() => res.end('late'), 2000);
    else res.writeHead(200).end(`ok ${req.headers.authorization ?? ''}`);
  }, '127.0.0.2');
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all([internal.close(), a.close()]);
});

const atA = (path: string) => `http://127.0.0.2:${a.port}${path}`;
const failure = (p: Promise<Response | string>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('guarded fetch: redirects', () => {
  it('checks every hop: an allowed peer redirecting to loopback is refused, and loopback never sees it', async () => {
    const err = await failure(client().fetch(atA('/to-internal'), { maxRedirects: 3 }));
    expect(blockedAddressIn(err)?.reason).toBe('127.0.0.1 is a loopback address');
    expect(a.requests.at(-1)?.path).toBe('/to-internal');
    expect(internal.requests).toEqual([]);
  });

  it('follows the same redirect once loopback is allowed too (so the test above can fail)', async () => {
    const res = await client(['127.0.0.0/8']).fetch(atA('/to-internal'), { maxRedirects: 3 });
    expect(await res.text()).toBe('internal secret');
    expect(internal.requests).toHaveLength(1);
    internal.requests.length = 0;
  });

  it('answers a 3xx as it is when following none (the default)', async () => {
    const res = await client().fetch(atA('/to-internal'));
    expect(res.status).toBe(302);
    expect(internal.requests).toEqual([]);
  });

  it('gives up after maxRedirects, and on a redirect off http(s)', async () => {
    expect(await (await client().fetch(atA('/loop?hops=2'), { maxRedirects: 2 })).text()).toMatch(/^ok/);
    expect(await failure(client().fetch(atA('/loop?hops=3'), { maxRedirects: 2 }))).toBeInstanceOf(RedirectError);
    expect(await failure(client().fetch(atA('/to-ftp'), { maxRedirects: 2 }))).toBeInstanceOf(RedirectError);
  });

  it('does not carry credentials to another origin', async () => {
    const res = await client(['127.0.0.0/8']).fetch(atA('/to-internal'), { maxRedirects: 1, headers: { authorization: 'Bearer s3cret' } });
    await res.text();
    expect(internal.requests.at(-1)?.headers.authorization).toBeUndefined();
    internal.requests.length = 0;
  });
});

describe('guarded fetch: limits', () => {
  it('caps the body, declared or counted', async () => {
    expect(tooLargeIn(await failure(client().fetch(atA('/big-declared'), { maxBytes: 1000 })))).toBeDefined();
    const res = await client().fetch(atA('/big'), { maxBytes: 1000 });
    expect(tooLargeIn(await failure(res.text()))).toBeDefined();
    expect((await (await client().fetch(atA('/big'), { maxBytes: 5000 })).arrayBuffer()).byteLength).toBe(5000);
  });

  it('caps the time, body included', async () => {
    const started = Date.now();
    const err = (await failure(client().fetch(atA('/slow'), { timeoutMs: 200 }))) as Error;
    expect(err.name).toBe('TimeoutError');
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

describe('guarded fetch: TLS to the checked address', () => {
  it('connects to the address it checked, verifying the certificate and sending SNI for the name in the URL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-guard-tls-'));
    const [keyFile, certFile] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=files.example', '-addext', 'subjectAltName=DNS:files.example', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    const cert = readFileSync(certFile, 'utf8');
    const seen: Array<string | false | null> = [];
    const server = createHttpsServer({ key: readFileSync(keyFile), cert }, (req, res) => {
      seen.push((req.socket as TLSSocket).servername);
      res.end('over tls');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const lookup: LookupAll = async () => [{ address: '127.0.0.2', family: 4 }];
      const res = await client(['127.0.0.2/32'], { lookup, ca: cert }).fetch(`https://files.example:${port}/`);
      expect(await res.text()).toBe('over tls');
      expect(seen).toEqual(['files.example']);
      // The certificate names files.example, not the address: asked for by address, verification fails.
      const byAddress = (await failure(client(['127.0.0.2/32'], { ca: cert }).fetch(`https://127.0.0.2:${port}/`))) as Error & { cause?: { code?: string } };
      expect(byAddress.cause?.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
      expect(seen).toHaveLength(1);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
