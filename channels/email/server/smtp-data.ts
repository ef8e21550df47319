import type { Readable } from 'node:stream';

/** An error smtp-server answers with `code` and `message` (put the enhanced status code at the message's start). */
export function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * The message bytes of a DATA stream, holding at most `maxBytes` of them. The stream is still read to its end past
 * the cap (smtp-server answers the DATA only once it has ended); the caller rejects it with `stream.sizeExceeded`.
 */
export async function readMessageCapped(stream: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let kept = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (kept >= maxBytes) continue;
    const part = kept + chunk.length > maxBytes ? chunk.subarray(0, maxBytes - kept) : chunk;
    chunks.push(part);
    kept += part.length;
  }
  return Buffer.concat(chunks, kept);
}
