import { randomBytes, randomUUID } from 'node:crypto';
import twilio from 'twilio';
import { type CallStep, resolveTwimlUrl, toCallStep } from './twiml-call-step.ts';

// Plays Twilio's side of one inbound call against a voice webhook: the signed form posts Twilio makes
// (https://www.twilio.com/docs/usage/webhooks/voice-webhooks), following the TwiML it gets back the way Twilio would.
// For tests and the offline sandbox.

export type { CallStep } from './twiml-call-step.ts';
export type { TwimlVerb } from './twiml-reader.ts';

export interface ScriptedCallOptions {
  voiceUrl: string;
  statusUrl: string;
  accountSid: string;
  authToken: string;
  /** The caller's number (E.164). */
  from: string;
  /** The channel's number that was called. */
  to: string;
  callSid?: string;
  fetch?: typeof fetch;
}

const MAX_REDIRECTS = 50;
const sid = (prefix: string): string => prefix + randomBytes(16).toString('hex');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class ScriptedCall {
  readonly callSid: string;
  private readonly doFetch: typeof fetch;
  private readonly startedAt = Date.now();
  private sequence = 0;
  private last: CallStep | undefined;
  private lastUrl = '';

  constructor(private readonly opts: ScriptedCallOptions) {
    this.callSid = opts.callSid ?? sid('CA');
    this.doFetch = opts.fetch ?? fetch;
  }

  /** The first voice webhook: the call is ringing. */
  start(): Promise<CallStep> {
    return this.follow(this.opts.voiceUrl, { CallStatus: 'ringing' });
  }

  /** The caller speaks into the pending <Gather>. */
  say(text: string, confidence = 0.92): Promise<CallStep> {
    return this.follow(this.pendingGather(), { SpeechResult: text, Confidence: String(confidence) });
  }

  /** The caller says nothing: with actionOnEmptyResult Twilio posts the action without SpeechResult. */
  silence(): Promise<CallStep> {
    return this.follow(this.pendingGather(), {});
  }

  /** The transferred leg ended (<Dial action>): completed, answered, busy, no-answer, failed, canceled. */
  dialDone(status: string, durationSeconds = status === 'completed' ? 42 : 0): Promise<CallStep> {
    const action = this.last?.dial?.action;
    if (!action) throw new Error('no <Dial action> pending');
    return this.follow(action, { DialCallStatus: status, DialCallSid: sid('CA'), DialCallDuration: String(durationSeconds) });
  }

  /** The caller left the <Enqueue> (bridged, queue-full, hangup, error…), when it had an action. */
  queueDone(result: string): Promise<CallStep> {
    const action = this.last?.verbs.find((v) => v.name === 'Enqueue')?.attrs.action;
    if (!action) throw new Error('no <Enqueue action> pending');
    return this.follow(resolveTwimlUrl(action, this.lastUrl), { QueueResult: result, QueueSid: sid('QU'), QueueTime: '12' });
  }

  /** The call's status callback (call-progress-events); a terminal status ends the call. */
  hangup(status = 'completed'): Promise<Response> {
    const params = {
      ...this.common(status),
      CallDuration: String(Math.round((Date.now() - this.startedAt) / 1000)),
      SequenceNumber: String(this.sequence++),
      CallbackSource: 'call-progress-events',
      Timestamp: new Date().toUTCString().replace('GMT', '+0000'),
    };
    return this.post(this.opts.statusUrl, params);
  }

  /** A signed Twilio form POST of exactly these params (for cases the script does not cover). */
  async post(url: string, params: Record<string, string>): Promise<Response> {
    const body = new URLSearchParams(params).toString();
    return this.doFetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'User-Agent': 'TwilioProxy/1.1',
        'I-Twilio-Idempotency-Token': randomUUID(),
        'X-Twilio-Signature': twilio.getExpectedTwilioSignature(this.opts.authToken, url, params),
      },
      body,
    });
  }

  /** The params Twilio sends on every voice request. */
  common(callStatus: string): Record<string, string> {
    const { accountSid, from, to } = this.opts;
    return {
      AccountSid: accountSid,
      ApiVersion: '2010-04-01',
      CallSid: this.callSid,
      CallStatus: callStatus,
      Called: to,
      Caller: from,
      Direction: 'inbound',
      From: from,
      To: to,
      CallerCountry: 'US',
      CalledCountry: 'US',
    };
  }

  private pendingGather(): string {
    const action = this.last?.gather?.action;
    if (!action) throw new Error('the call is not listening: no <Gather> pending');
    return action;
  }

  /** Posts, then follows <Redirect>s until the call listens, transfers, hangs up or runs out of TwiML. */
  private async follow(url: string, extra: Record<string, string>): Promise<CallStep> {
    const trail: string[] = [];
    let params = { ...this.common(extra.CallStatus ?? 'in-progress'), ...extra };
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const res = await this.post(url, params);
      const step = toCallStep(res.status, await res.text(), url, trail);
      this.last = step;
      this.lastUrl = url;
      if (res.status !== 200 || !step.redirect || step.gather || step.dial || step.enqueue || step.hangup) return step;
      // Honour <Pause>, shortened: a scripted caller has no reason to wait for real.
      for (const v of step.verbs) if (v.name === 'Pause') await sleep(Math.min(Number(v.attrs.length ?? 1), 0.05) * 1000);
      url = step.redirect;
      params = this.common('in-progress');
    }
    throw new Error(`more than ${MAX_REDIRECTS} redirects in one step`);
  }
}
