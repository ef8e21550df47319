import twilio from 'twilio';
import { e164, type PeerState, type SentMessage, type StatusOutcome } from './state.ts';

// After a create, Twilio reports progress to StatusCallback: a form POST signed with the account's token over the
// exact callback URL (query included). The peer plays `sent` then `delivered` (or the scripted outcome), and
// WhatsApp free text to a customer silent for 24 hours fails with 63016, as Twilio does.

const FIRST_CALLBACK_DELAY_MS = 20;
const WHATSAPP_WINDOW_MS = 24 * 3600 * 1000;
/** A Twilio magic test number, standing in for the number a Messaging Service picks from its pool. */
const SERVICE_POOL_NUMBER = '+15005550006';

/** Twilio's RawDlrDoneDate: YYMMDDhhmm, UTC. */
function dlrDate(at: Date): string {
  return at.toISOString().replace(/[-T:]/g, '').slice(2, 12);
}

function finalOutcome(state: PeerState, msg: SentMessage): StatusOutcome | undefined {
  const scripted = state.outcomes.get(e164(msg.to));
  if (scripted) return scripted;
  if (msg.to.startsWith('whatsapp:') && !msg.contentSid) {
    const last = state.lastInbound.get(e164(msg.to));
    if (!last || Date.now() - last.getTime() > WHATSAPP_WINDOW_MS) return { status: 'failed', errorCode: 63016 };
  }
  return undefined;
}

function callbackParams(state: PeerState, msg: SentMessage, status: string, errorCode?: string): Record<string, string> {
  const from = msg.from || (msg.to.startsWith('whatsapp:') ? `whatsapp:${SERVICE_POOL_NUMBER}` : SERVICE_POOL_NUMBER);
  const params: Record<string, string> = {
    SmsSid: msg.sid,
    SmsStatus: status,
    MessageStatus: status,
    To: msg.to,
    MessageSid: msg.sid,
    AccountSid: state.accountSid,
    From: from,
    ApiVersion: '2010-04-01',
  };
  if (msg.messagingServiceSid) params.MessagingServiceSid = msg.messagingServiceSid;
  if (errorCode) params.ErrorCode = errorCode;
  if (msg.to.startsWith('whatsapp:')) {
    params.ChannelPrefix = 'whatsapp';
    params.ChannelToAddress = e164(msg.to);
  } else if (status === 'delivered') {
    params.RawDlrDoneDate = dlrDate(new Date());
  }
  return params;
}

/** POST one signed callback; never throws (Twilio logs an 11200 and moves on). */
export async function postStatusCallback(state: PeerState, url: string, params: Record<string, string>): Promise<void> {
  let answer: number | null = null;
  try {
    const res = await state.fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Twilio-Signature': twilio.getExpectedTwilioSignature(state.authToken, url, params),
        'User-Agent': 'TwilioProxy/1.1',
      },
      body: new URLSearchParams(params).toString(),
      signal: state.shutdown.signal,
    });
    answer = res.status;
    await res.body?.cancel();
  } catch {
    answer = null;
  }
  if (state.shutdown.signal.aborted) return;
  state.statusCallbacks.push({ url, params, answer, at: new Date() });
  state.changed();
}

/** Schedule the callbacks for an accepted message, one after the other, as Twilio does. */
export function scheduleStatusCallbacks(state: PeerState, msg: SentMessage): void {
  const url = msg.statusCallback;
  if (!state.autoStatus || !url) return;
  const outcome = finalOutcome(state, msg);
  const steps: Array<[string, string?]> =
    outcome?.status === 'failed'
      ? [['failed', String(outcome.errorCode)]]
      : [['sent'], outcome ? [outcome.status, String(outcome.errorCode)] : ['delivered']];

  const timer = setTimeout(async () => {
    state.timers.delete(timer);
    for (const [status, code] of steps) {
      if (state.shutdown.signal.aborted) return;
      await postStatusCallback(state, url, callbackParams(state, msg, status, code));
    }
  }, FIRST_CALLBACK_DELAY_MS);
  state.timers.add(timer);
}
