import type { IncomingMessage } from 'node:http';

// How every sandbox peer reads a request body: whole, with a cap (a peer is a test and demo tool, but it still
// listens on a port and must not be filled up by one request).

const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;

export async function readRequestBytes(req: IncomingMessage, maxBytes = DEFAULT_MAX_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function readRequestText(req: IncomingMessage, maxBytes?: number): Promise<string> {
  return (await readRequestBytes(req, maxBytes)).toString('utf8');
}
