import type { Response as UndiciResponse } from 'undici';
import { ResponseTooLargeError } from './outbound-errors.ts';

// A guarded response's body, capped: a declared Content-Length over the limit is refused before anything is read,
// and the stream is counted as it arrives (a missing or lying length must not let a peer fill memory). Handed back
// as a plain global Response, so callers need not know it came through undici.

/** Statuses whose Response may not have a body (the constructor throws otherwise). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

export async function byteLimited(res: UndiciResponse, maxBytes: number): Promise<Response> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw new ResponseTooLargeError(maxBytes);
  }
  const init = { status: res.status, statusText: res.statusText, headers: [...res.headers] };
  if (!res.body || NULL_BODY.has(res.status)) {
    await res.body?.cancel().catch(() => {});
    return new Response(null, init);
  }
  let total = 0;
  const counted = res.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        total += chunk.byteLength;
        if (total > maxBytes) controller.error(new ResponseTooLargeError(maxBytes));
        else controller.enqueue(chunk);
      },
    }),
  );
  return new Response(counted as ReadableStream<Uint8Array>, init);
}
