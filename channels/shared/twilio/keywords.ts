import type { InboundMessage } from '../../../src/domain/model/messages.ts';

// Opt-out keywords as Twilio treats them (https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out): the
// whole body, trimmed, case-insensitive, one word ("stop please" is conversation). When Advanced Opt-Out classified
// the message, its OptOutType wins. YES is deliberately not an opt-in keyword here: "yes" is far more often an answer
// than a re-subscription, and a control message gets no AI turn. Twilio reports its own YES handling through
// OptOutType=START, which we honour.

type Control = NonNullable<InboundMessage['control']>;

const KEYWORDS: ReadonlyMap<string, Control> = new Map(Object.entries({
  STOP: 'opt_out',
  STOPALL: 'opt_out',
  UNSUBSCRIBE: 'opt_out',
  CANCEL: 'opt_out',
  END: 'opt_out',
  QUIT: 'opt_out',
  REVOKE: 'opt_out',
  OPTOUT: 'opt_out',
  START: 'opt_in',
  UNSTOP: 'opt_in',
  HELP: 'help',
  INFO: 'help',
} satisfies Record<string, Control>));

const OPT_OUT_TYPES: ReadonlyMap<string, Control> = new Map<string, Control>([
  ['STOP', 'opt_out'],
  ['START', 'opt_in'],
  ['HELP', 'help'],
]);

export function classifyKeyword(body: string, optOutType: string): Control | undefined {
  const byTwilio = OPT_OUT_TYPES.get(optOutType.trim().toUpperCase());
  if (byTwilio) return byTwilio;
  return KEYWORDS.get(body.trim().toUpperCase());
}
