import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { destination, dueReplies, recordDelivery, recordReceipt } from '../src/domain/outbound/dispatch-store.ts';
import type { ChannelKind } from '../src/domain/model/enums.ts';
import { DeliveryError } from '../src/errors.ts';
import type { DispatchOutcome } from '../src/metrics/metrics.ts';
import type { JobData } from '../src/queue/names.ts';
import { buildAdapter } from '../src/domain/channels/channel-adapter.ts';
import type { SendReceipt } from '../src/domain/model/messages.ts';
import { OPTED_OUT_ERROR, setOptedOut } from '../src/domain/inbound/opt-out.ts';
import { outboundParts } from '../src/domain/outbound/outbound.ts';
import { clearSending, markSending, reconcileUnknownSend } from '../src/domain/outbound/send-reconcile.ts';
import { tryLockSession } from '../src/queue/session-lock.ts';
import type { WorkerDeps } from './worker-deps.ts';

// Dispatch: hand a session's queued replies, in order, to the adapter of the channel they came from. Each send
// is recorded before (sending_at, its own commit) and after (the receipt); a reply found marked but unrecorded
// is reconciled before it is sent again (src/domain/outbound/send-reconcile.ts).
// Failures follow DeliveryError.retry: `never` fails the message at once, `rate-limited` waits as told without
// using an attempt, `later` retries with backoff (and the message fails when attempts run out).

const SEND_TIMEOUT_MS = 30_000;
const RETRY_LOCKED_MS = 100;

export async function processDispatch(
  job: Job<JobData['dispatch'], unknown, ChannelKind>,
  token: string | undefined,
  deps: WorkerDeps,
) {
  const { sessionId, messageId } = job.data;
  const lock = await tryLockSession(deps.locks, deps.config.queuePrefix, 'dispatch', sessionId, deps.config.workers.lockMs);
  if (!lock) {
    await job.moveToDelayed(Date.now() + RETRY_LOCKED_MS, token);
    throw new DelayedError();
  }
  try {
    const due = await dueReplies(deps.db, sessionId, messageId);
    if (due.length === 0) return 'already sent (or gone)';
    const dest = await destination(deps.db, sessionId);
    if (!dest) return 'session gone';
    const adapter = buildAdapter(deps, dest.channel);
    if (!adapter) throw new UnrecoverableError(`No adapter for channel type ${dest.channel.type}`);
    const ctx = { db: deps.db, publicUrl: deps.config.publicUrl, secret: deps.config.secret, now: new Date() };
    const to = { address: dest.address, name: dest.name, contactId: dest.contact.id };
    // The provider's thread id goes only to channels whose provider keeps threads (Slack's, a call's sid): a mail
    // session's subject key is ours, not the provider's.
    const threadId = adapter.capabilities.threads ? (dest.session.externalThreadId ?? undefined) : undefined;
    const base = { sessionId, to, externalThreadId: threadId, subject: dest.session.subject ?? undefined };
    const channel = dest.channel.type;
    const count = (outcome: DispatchOutcome) => deps.metrics.dispatches.inc({ channel, outcome });
    for (const msg of due) {
      // Nothing goes to a contact who opted out on this channel; the reason is on the message.
      if (dest.contact.optedOut.includes(channel)) {
        await recordDelivery(deps.db, msg, { status: 'failed', error: OPTED_OUT_ERROR });
        count('opted_out');
        continue;
      }
      try {
        const parts = await outboundParts(ctx, msg, base, adapter.capabilities);
        if (msg.sendingAt && parts.length > 0) {
          // A send of this reply began and was never recorded (its process died): did the provider take it?
          const verdict = await reconcileUnknownSend(adapter, parts.at(-1)!, msg.sendingAt, Date.now(), AbortSignal.timeout(SEND_TIMEOUT_MS));
          if (verdict.type === 'found') {
            await recordDelivery(deps.db, msg, { status: verdict.receipt.status, externalId: verdict.receipt.externalId });
            count('reconciled');
            continue;
          }
          // Later replies wait too: they must not overtake this one.
          if (verdict.type === 'wait' && token) {
            await job.moveToDelayed(verdict.untilMs, token);
            throw new DelayedError();
          }
        }
        await markSending(deps.db, msg.id);
        let receipt: SendReceipt | undefined;
        // A long reply goes in parts; the last part's receipt stands for the message.
        for (const part of parts) receipt = await adapter.send(part, AbortSignal.timeout(SEND_TIMEOUT_MS));
        if (receipt) {
          await recordReceipt(deps.db, msg, receipt);
          count('sent');
          deps.metrics.dispatchLatency.observe({ channel }, Math.max(0, Date.now() - msg.createdAt.getTime()) / 1000);
        }
      } catch (err) {
        if (err instanceof DelayedError) throw err;
        if (err instanceof DeliveryError && err.extra.recipientOptedOut) {
          await setOptedOut(deps.db, dest.session.orgId, dest.contact.id, channel, true);
        }
        await onSendError(err, msg, job, token, deps, count);
      }
    }
    return `sent ${due.length}`;
  } finally {
    await lock.release();
  }
}

async function onSendError(
  err: unknown,
  msg: { id: string; orgId: string; sessionId: string },
  job: Job,
  token: string | undefined,
  deps: WorkerDeps,
  count: (outcome: DispatchOutcome) => void,
): Promise<never> {
  const e = err instanceof DeliveryError ? err : new DeliveryError((err as Error).message, 'later', { cause: err });
  const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  count(e.retry === 'never' ? 'failed_never' : e.retry === 'rate-limited' ? 'rate_limited' : lastAttempt ? 'failed_exhausted' : 'retry_later');
  if (e.retry === 'never' || (e.retry === 'later' && lastAttempt)) {
    const error = e.extra.providerCode ? `${e.message} (${e.extra.providerCode})` : e.message;
    await recordDelivery(deps.db, msg, { status: 'failed', error });
    throw new UnrecoverableError(error);
  }
  // Only this session's replies wait (a Slack workspace's limit must not hold up everyone's SMS), and the wait
  // uses no attempt: being told to slow down is not a failure.
  if (e.retry === 'rate-limited' && token) {
    await clearSending(deps.db, msg.id);
    await job.moveToDelayed(Date.now() + (e.extra.retryAfterMs ?? 1000), token);
    throw new DelayedError();
  }
  throw e;
}
