import twilio from 'twilio';
import type { CallAnswer } from '../../src/domain/model/call.ts';
import type { CallUrls } from './call-urls.ts';
import type { PhoneConfig } from './config.ts';

// Core's answer to a call step, as TwiML. A TwiML document that runs off its end hangs the call up, so every
// answer ends in a verb that continues the call (Gather with actionOnEmptyResult, Redirect, Dial or Enqueue with an
// action) or in an explicit Hangup.

type VoiceResponse = InstanceType<typeof twilio.twiml.VoiceResponse>;
type SayAttributes = Parameters<VoiceResponse['say']>[0];
type GatherAttributes = NonNullable<Parameters<VoiceResponse['gather']>[0]>;

export const GIVE_UP_WAITING_TEXT = 'Sorry, that is taking longer than expected.';

export function buildCallTwiml(config: PhoneConfig, urls: CallUrls, a: CallAnswer): string {
  const twiml = new twilio.twiml.VoiceResponse();
  // Twilio's attribute types list every known language and voice; ours are validated as tags in the config.
  const sayAttributes = { language: config.language, ...(config.voice ? { voice: config.voice } : {}) } as SayAttributes;
  const say = (line: string): void => void twiml.say(sayAttributes, line);

  // Recording starts with the call's first answer, once.
  if (config.record && a.first) {
    twiml.start().recording({ recordingStatusCallback: urls.recording, recordingStatusCallbackEvent: ['completed'] });
  }
  for (const line of a.say) if (line.trim()) say(line);

  if (a.transfer) {
    if ('number' in a.transfer) {
      twiml.dial({ callerId: config.from, timeout: 20, action: urls.transfer, method: 'POST' }).number(a.transfer.number);
    } else {
      // With an action, a caller who leaves the queue unanswered comes back to us (QueueResult) instead of hanging up.
      twiml.enqueue({ action: urls.transfer, method: 'POST' }, a.transfer.queue);
    }
    return twiml.toString();
  }
  if (a.hangup) {
    twiml.hangup();
    return twiml.toString();
  }

  let listenTurn = a.listenTurn;
  if (a.waitTurn !== undefined) {
    const attempt = a.waitAttempt ?? 0;
    if (attempt < config.max_wait_redirects) {
      say(config.hold_text);
      twiml.pause({ length: 2 });
      twiml.redirect({ method: 'POST' }, urls.wait(a.waitTurn, attempt + 1));
      return twiml.toString();
    }
    say(GIVE_UP_WAITING_TEXT);
    // The utterance of turn N is stored already: listening on N again would dedupe the caller's next words away.
    listenTurn ??= a.waitTurn + 1;
  }
  if (listenTurn !== undefined) {
    const gather: GatherAttributes = {
      input: ['speech'],
      action: urls.turn(listenTurn),
      method: 'POST',
      speechTimeout: 'auto',
      // speechTimeout="auto" is refused with the default model (warning 13335).
      speechModel: 'phone_call',
      language: config.language as GatherAttributes['language'],
      actionOnEmptyResult: true,
    };
    twiml.gather(gather);
    return twiml.toString();
  }
  twiml.hangup();
  return twiml.toString();
}

export function answerCallResponse(config: PhoneConfig, urls: CallUrls, a: CallAnswer): Response {
  return new Response(buildCallTwiml(config, urls, a), { status: 200, headers: { 'Content-Type': 'text/xml' } });
}
