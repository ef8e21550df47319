import type { InboundMessage } from './messages.ts';

// The steps of a phone call as a voice adapter reports them, and what core asks it to answer. A call is one
// session (its thread id is the provider's call id); each recognized utterance is a contact message.

export type CallEvent =
  /** The call rang in. `greeting` is what the caller hears first (the channel's configured greeting). */
  | { kind: 'start'; callId: string; from: InboundMessage['from']; greeting: string; raw: unknown }
  /**
   * The caller said something during turn `turn` (message.externalId is `<callId>:<turn>`, so a redelivered
   * webhook is stored once; message.externalThreadId is the call id). An empty text means silence.
   */
  | { kind: 'speech'; callId: string; turn: number; message: InboundMessage }
  /** The provider came back (after a pause + redirect) for the reply to turn `turn`. */
  | { kind: 'wait'; callId: string; turn: number; attempt: number }
  /** A recording of the call is ready: message carries it as an attachment (sender system, not a turn). */
  | { kind: 'recording'; callId: string; message: InboundMessage }
  /** A transfer (Dial / Enqueue) ended with the provider's status; `notice` is what to tell the caller when it failed. */
  | { kind: 'transfer-done'; callId: string; status: string; notice?: string }
  /** The call ended (completed, busy, failed, no-answer, canceled): the session resolves. */
  | { kind: 'end'; callId: string; status: string };

export interface CallAnswer {
  callId: string;
  /** The call's first answer: start the recording here, when the channel records calls. */
  first?: boolean;
  /** Said first, in order (greeting, replies). */
  say: string[];
  /** Listen for the caller's next utterance and report it as turn `listenTurn`. */
  listenTurn?: number;
  /** No reply is ready yet: say a short holding line, pause, and come back as a `wait` for this turn. */
  waitTurn?: number;
  waitAttempt?: number;
  /** Hand the call to a person: an agent's number, or a named queue. */
  transfer?: { number: string } | { queue: string };
  hangup?: boolean;
}
