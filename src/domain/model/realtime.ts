// What a gateway tells a visitor's sockets, wherever they are. Signals travel by Redis pub/sub (at most once):
// a doorbell only says "read the visitor's feed again", so a lost one is healed by the next or by a resume.

export type RealtimeSignal =
  | { kind: 'doorbell' }
  | { kind: 'typing'; sender: { type: 'ai' | 'human_agent'; name: string | null }; active: boolean };

export interface RealtimePublisher {
  /** Signal every socket of the contact, on every gateway process; resolves to how many processes listened. */
  toContact(contactId: string, signal: RealtimeSignal): Promise<number>;
}
