import type { AdapterDeps } from '../../src/domain/model/adapter.ts';
import type { AttachmentRef, OutboundMessage, SendReceipt } from '../../src/domain/model/messages.ts';
import { DeliveryError } from '../../src/errors.ts';
import { type SlackConfig, tokenFor } from './config.ts';
import { parseThreadId } from './inbound.ts';
import { toMrkdwn } from './mrkdwn.ts';
import { ratingBlocks } from './rating-blocks.ts';
import { deliveryErrorFrom } from './send-errors.ts';
import { abortable, type ClientPool } from './web-client.ts';

// A reply goes where the conversation is (https://api.slack.com/methods/chat.postMessage): the session's
// externalThreadId names the workspace, the conversation and, for channel threads, the thread's ts (DMs are answered
// top-level in the DM). Files are uploaded into the same thread after the text (filesUploadV2). Their bytes are
// loaded first (core's loadAttachment: the blob store, or the sender's URL through the outbound guard), so a dead or
// refused link fails the send without having posted half of it.

interface FileToUpload {
  file: Buffer;
  filename: string;
  title: string;
}

/** Slack's own ceiling for one upload is 1 GB; a reply's files are held in memory, so far less here. */
const MAX_FILE_BYTES = 25 * 1024 * 1024;

async function loadFile(deps: AdapterDeps, ref: AttachmentRef, signal: AbortSignal): Promise<FileToUpload> {
  const named = { filename: ref.filename || 'file', title: ref.filename || 'file' };
  return { file: Buffer.from(await deps.loadAttachment(ref, MAX_FILE_BYTES, signal)), ...named };
}

export function createSender(config: SlackConfig, deps: AdapterDeps, clients: ClientPool) {
  return async function send(msg: OutboundMessage, signal: AbortSignal): Promise<SendReceipt> {
    const where = parseThreadId(msg.externalThreadId);
    if (!where) throw new DeliveryError('slack: reply without a Slack conversation (externalThreadId)', 'never');
    const token = tokenFor(config, where.team);
    if (!token) throw new DeliveryError(`slack: no bot token for workspace ${where.team} (install the app there)`, 'never', { providerCode: 'not_installed' });
    const client = clients.forToken(token);
    const thread = where.threadTs ? { thread_ts: where.threadTs } : {};
    try {
      const files = await Promise.all(msg.attachments.map((a) => loadFile(deps, a, signal)));
      let externalId: string | undefined;
      if (msg.text.trim() || files.length === 0) {
        const posted = await abortable(
          () =>
            client.chat.postMessage({
              channel: where.channel,
              text: toMrkdwn(msg.text),
              mrkdwn: true,
              unfurl_links: false,
              ...(msg.rating ? { blocks: ratingBlocks(msg, msg.rating) } : {}),
              ...thread,
            }),
          signal,
        );
        externalId = `${posted.channel ?? where.channel}:${posted.ts}`;
      }
      for (const f of files) {
        const uploaded = await abortable(() => client.filesUploadV2({ channel_id: where.channel, ...thread, ...f }), signal);
        const fileId = (uploaded.files[0] as { files?: Array<{ id?: string }> } | undefined)?.files?.[0]?.id;
        externalId ??= `${where.channel}:${fileId ?? 'file'}`;
      }
      return { externalId: externalId ?? `${where.channel}:unknown`, status: 'delivered' };
    } catch (err) {
      throw deliveryErrorFrom(err);
    }
  };
}
