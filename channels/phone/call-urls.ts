import type { ChannelInfo } from '../../src/domain/model/adapter.ts';

// Twilio signs the absolute URL it requests, and it requests exactly what our TwiML names; so every action URL we
// write is absolute and built from the webhook URLs core derived from PUBLIC_URL. `recording` and `transfer` are
// siblings of the voice URL (…/webhooks/<channel id>/recording) that the admin never has to configure.

export interface CallUrls {
  voice: string;
  recording: string;
  transfer: string;
  /** The voice URL for the caller's utterance of turn `turn` (a Gather action). */
  turn(turn: number): string;
  /** The voice URL to come back to for the reply to `turn`, on the `attempt`-th holding loop. */
  wait(turn: number, attempt: number): string;
}

export function callUrls(channel: ChannelInfo): CallUrls {
  const voice = channel.webhookUrls.voice ?? channel.webhookUrls.inbound;
  if (!voice) throw new Error(`phone channel ${channel.id} has no voice webhook URL`);
  const withQuery = (query: Record<string, number>): string => {
    const url = new URL(voice);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, String(value));
    return url.toString();
  };
  return {
    voice,
    recording: new URL('recording', voice).toString(),
    transfer: new URL('transfer', voice).toString(),
    turn: (turn) => withQuery({ t: turn }),
    wait: (turn, attempt) => withQuery({ t: turn, wait: attempt }),
  };
}
