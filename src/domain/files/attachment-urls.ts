import { FILE_URL_TTL_SECONDS, signFileUrl } from '../../blob/signed-url.ts';
import type { attachments } from '../../db/schema/index.ts';

type AttachmentRow = typeof attachments.$inferSelect;

/**
 * The `url` a history item shows for an attachment: a fresh signed download link when we hold its bytes (the
 * link expires, so it is made per view, never stored), else the URL it came from (or null when there is none).
 */
export function attachmentUrl(
  row: Pick<AttachmentRow, 'id' | 'blobKey' | 'url'>,
  publicUrl: string,
  secret: string,
  now: Date = new Date(),
): string | null {
  return row.blobKey ? signFileUrl(publicUrl, secret, row.id, FILE_URL_TTL_SECONDS, now) : row.url;
}
