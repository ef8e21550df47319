import type { ChannelAdapter } from '../../../src/domain/model/adapter.ts';
import type { CallAnswer, CallEvent } from '../../../src/domain/model/call.ts';
import { claimReplies, findCallSession, findUtterance, transferTarget, turnDone } from './call-session.ts';
import { storeInboundMedia } from '../../../src/domain/files/inbound-media.ts';
import { ingest } from '../../../src/domain/inbound/ingest.ts';
import { acceptInbound, type ProviderInboundDeps, type WebhookChannel } from '../../../src/domain/inbound/provider-inbound.ts';
import { patchSession } from '../../../src/domain/sessions/session-commands.ts';

// A phone call, step by step (docs/sms-whatsapp-phone.md "Phone calls"). The call is a session; the greeting and
// every reply are spoken in the answer to the provider's next webhook. A caller's utterance is stored, its AI turn
// runs on the workers as for any channel, and the webhook waits for the reply up to a bound; past it the call is held
// (pause + redirect) and the provider comes back for it. Nothing here is lost when a webhook is retried: utterances
// are keyed by (call, turn) and replies are claimed once.

export type VoiceDeps = ProviderInboundDeps & {
  config: ProviderInboundDeps['config'] & { voice: { replyWaitMs: number } };
};

const POLL_MS = 120;
/** After a handoff, how long to wait for routing to pick an agent before the call joins the queue instead. */
const ASSIGN_GRACE_MS = 1500;
const NOT_HEARD = "Sorry, I didn't catch that.";

export async function handleCallEvent(
  deps: VoiceDeps,
  channel: WebhookChannel,
  adapter: ChannelAdapter,
  event: CallEvent,
): Promise<CallAnswer> {
  const { callId } = event;
  switch (event.kind) {
    case 'start': {
      // The greeting opens the call's session and is the first line of its transcript.
      await ingest(deps, {
        kind: 'from-channel',
        orgId: channel.orgId,
        channel: { id: channel.id, type: channel.type },
        identity: { address: event.from.address },
        contact: { name: event.from.name, phone: event.from.phone },
        sender: 'ai',
        externalId: `${callId}:0`,
        externalThreadId: callId,
        text: event.greeting,
        delivered: true,
        raw: event.raw,
      });
      return { callId, first: true, say: [event.greeting], listenTurn: 1 };
    }
    case 'speech': {
      if (event.message.text.trim() === '') return { callId, say: [NOT_HEARD], listenTurn: event.turn };
      await acceptInbound(deps, channel, adapter, event.message);
      const said = await findUtterance(deps.db, channel.id, event.message.externalId);
      if (!said) return { callId, say: [], listenTurn: event.turn };
      return awaitReply(deps, callId, said.sessionId, said.seq, event.turn, 0);
    }
    case 'wait': {
      const said = await findUtterance(deps.db, channel.id, `${callId}:${event.turn}`);
      if (!said) return { callId, say: [], listenTurn: event.turn };
      return awaitReply(deps, callId, said.sessionId, said.seq, event.turn, event.attempt);
    }
    case 'recording': {
      const session = await findCallSession(deps.db, channel.id, callId);
      if (session) {
        const attachments = await storeInboundMedia(adapter, deps.blobs, deps.logger, event.message.attachments);
        await ingest(deps, {
          kind: 'system',
          orgId: channel.orgId,
          sessionId: session.id,
          externalId: event.message.externalId,
          text: event.message.text,
          attachments,
          delivered: true,
          raw: event.message.raw,
        });
      }
      return { callId, say: [] };
    }
    case 'transfer-done':
      // The agent's call ended, or nobody took it (the adapter words the apology): either way the call is over.
      return { callId, say: event.notice ? [event.notice] : [], hangup: true };
    case 'end': {
      const session = await findCallSession(deps.db, channel.id, callId);
      // Hanging up ends the conversation: resolved, and the close worker writes its summary.
      if (session?.status === 'open') {
        await patchSession(deps.db, channel.orgId, session.id, { status: 'closed_resolved' }, { agentId: null });
        const closed = await findCallSession(deps.db, channel.id, callId);
        const jobId = `close-${session.id}-${closed?.closedAt?.getTime() ?? Date.now()}`;
        await deps.queues.close
          .add(channel.type, { orgId: channel.orgId, sessionId: session.id, reason: 'closed' }, { jobId })
          .catch((err: Error) => deps.logger.warn({ err: err.message }, 'close job not queued; the sweeper will'));
      }
      return { callId, say: [] };
    }
  }
}

/** Wait for the turn's reply (or a handoff) up to the bound; then speak it, or hold the line and come back. */
async function awaitReply(
  deps: VoiceDeps,
  callId: string,
  sessionId: string,
  afterSeq: number,
  turn: number,
  attempt: number,
): Promise<CallAnswer> {
  const deadline = Date.now() + deps.config.voice.replyWaitMs;
  let said: string[] = [];
  let handedOffAt: number | undefined;
  while (Date.now() < deadline) {
    if (await turnDone(deps.db, sessionId, afterSeq)) {
      said = [...said, ...(await claimReplies(deps.db, sessionId))];
      const target = await transferTarget(deps.db, sessionId);
      if (target && ('number' in target || Date.now() - (handedOffAt ??= Date.now()) >= ASSIGN_GRACE_MS)) {
        return { callId, say: said, transfer: target };
      }
      if (!target && said.length > 0) return { callId, say: said, listenTurn: turn + 1 };
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  said = [...said, ...(await claimReplies(deps.db, sessionId))];
  if (said.length > 0) return { callId, say: said, listenTurn: turn + 1 };
  return { callId, say: [], waitTurn: turn, waitAttempt: attempt };
}
