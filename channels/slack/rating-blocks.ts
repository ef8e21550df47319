import type { OutboundMessage } from '../../src/domain/model/messages.ts';
import { toMrkdwn } from './mrkdwn.ts';

// The CSAT question as Block Kit (https://api.slack.com/reference/block-kit/blocks): the question, then an actions
// block of five buttons. A click comes back to the channel's `interactions` webhook as a block_actions payload
// (interactions.ts) whose action value is `<survey token>:<score>`. The plain `text` stays as the notification
// and screen-reader fallback, and a reply with the digit is still taken as the answer.

export const RATING_ACTION_PREFIX = 'csat_';

export function ratingBlocks(msg: OutboundMessage, rating: NonNullable<OutboundMessage['rating']>) {
  const buttons = [1, 2, 3, 4, 5].map((n) => ({
    type: 'button',
    action_id: `${RATING_ACTION_PREFIX}${n}`,
    text: { type: 'plain_text', text: String(n) },
    value: `${rating.token}:${n}`,
  }));
  return [
    { type: 'section', text: { type: 'mrkdwn', text: toMrkdwn(msg.text) } },
    { type: 'actions', block_id: 'csat', elements: buttons },
  ];
}
