import { createRoute, z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import type { BlobStore } from '../../blob/blob-store.ts';
import { secondsLeft, verifyFileSignature } from '../../blob/signed-url.ts';
import { attachments } from '../../db/schema/index.ts';
import type { Deps } from '../../deps.ts';
import { ForbiddenError, NotFoundError } from '../../errors.ts';
import { errorResponses, newRouter } from '../router.ts';

// GET /files/{attachment_id}?expires=&sig=: downloads through short-lived signed links (src/blob/signed-url.ts).
// No API key: the signature is the credential, so an <img> tag or a provider fetching media can use the link.
// POST /files is not here yet: a file uploaded before its message needs a row, and attachments.message_id is NOT NULL.

/** Only what downloads need; `blobs` joins Deps when the store is wired in (src/deps.ts). */
export type FileRouteDeps = Pick<Deps, 'config' | 'db'> & { blobs: BlobStore };

const FileParams = z.object({
  attachment_id: z.uuid().openapi({ param: { name: 'attachment_id', in: 'path' }, description: 'The attachment id.' }),
});

const FileQuery = z.object({
  expires: z.string().max(20).openapi({ description: 'Unix seconds after which the link stops working.' }),
  sig: z.string().max(100).openapi({ description: 'The link’s signature (base64url HMAC-SHA256).' }),
});

const download = createRoute({
  method: 'get',
  path: '/files/{attachment_id}',
  operationId: 'downloadFile',
  summary: 'Download an attachment through a signed link',
  description: 'Links come from history items (`attachments[].url`) and expire after 15 minutes; no API key.',
  tags: ['Files'],
  security: [],
  request: { params: FileParams, query: FileQuery },
  responses: {
    200: { description: 'The file', content: { '*/*': { schema: z.string().openapi({ format: 'binary' }) } } },
    400: errorResponses[400],
    403: { ...errorResponses[403], description: 'Invalid or expired link' },
    404: errorResponses[404],
  },
});

export function fileRoutes(deps: FileRouteDeps) {
  const app = newRouter();

  app.openapi(download, async (c) => {
    const { attachment_id: id } = c.req.valid('param');
    const { expires, sig } = c.req.valid('query');
    // Checked before any lookup, so a link-less caller cannot even learn whether an id exists.
    if (!verifyFileSignature(deps.config.secret, id, expires, sig)) throw new ForbiddenError('Invalid or expired file link');
    const [row] = await deps.db
      .select({ filename: attachments.filename, contentType: attachments.contentType, blobKey: attachments.blobKey })
      .from(attachments)
      .where(eq(attachments.id, id))
      .limit(1);
    const bytes = row?.blobKey ? await deps.blobs.get(row.blobKey) : null;
    if (!row || !bytes) {
      if (row?.blobKey) c.get('log')?.warn({ attachmentId: id, blobKey: row.blobKey }, 'attachment blob missing');
      throw new NotFoundError('File');
    }
    const type = safeType(row.contentType);
    return c.body(bytes, 200, {
      'Content-Type': type,
      'Content-Length': String(bytes.byteLength),
      'Content-Disposition': contentDisposition(INLINE_TYPES.has(type) ? 'inline' : 'attachment', row.filename),
      // The stored type is what the sender claimed: never let a browser second-guess it into HTML or script,
      // and should it render the file anyway, with no scripts, no requests and no same-origin access.
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
      // Private: the link is a credential, shared caches must not keep it; not past the link's own life.
      'Cache-Control': `private, max-age=${secondsLeft(expires)}`,
    });
  });

  return app;
}

/**
 * Raster images a chat shows inline. Not SVG (it can carry script) and not anything else: those download.
 */
const INLINE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif']);

/** The stored type as a header value, when it is a plain `type/subtype`; otherwise opaque bytes. */
function safeType(stored: string): string {
  const type = stored.trim().toLowerCase();
  return /^[a-z0-9][\w.+-]*\/[a-z0-9][\w.+-]*$/.test(type) ? type : 'application/octet-stream';
}

/** RFC 6266: an ASCII `filename` for old clients, and the exact name as RFC 8187 `filename*`. */
function contentDisposition(kind: 'inline' | 'attachment', filename: string): string {
  // Lone surrogates (possible in JSON) would make encodeURIComponent throw: a UTF-8 round trip replaces them.
  const name = Buffer.from(filename, 'utf8').toString('utf8');
  const ascii = name.replace(/[^\x20-\x7e]|["\\/]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
