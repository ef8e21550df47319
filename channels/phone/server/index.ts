import type { ChannelServer } from '../../../src/domain/model/channel-server.ts';
import { handleCallEvent } from './voice-call.ts';

// The phone channel's server half (docs/sms-whatsapp-phone.md "Phone calls"): the call flow, step by step — each
// webhook of a call is stored, waits for its reply within a bound, and is answered with what to say.

export const phoneServer: ChannelServer = {
  kind: 'phone_voice',
  handleCall: handleCallEvent,
};
