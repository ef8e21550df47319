import { randomBytes } from 'node:crypto';
import { and, eq, ne } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { channels, csatSurveys, events, messages, sessions } from '../../db/schema/index.ts';
import type { ChannelCapabilities } from '../model/adapter.ts';
import type { ChannelKind } from '../model/enums.ts';
import type { MessageJobRef } from '../../queue/enqueue.ts';
import { writeLines } from '../sessions/message-writer.ts';

// Asking for a rating once a session is resolved (Open: CSAT 1–5 after resolution, per channel; Chatwoot too).
// Only where the channel's setting says so and its adapter can ask (capabilities.csat), only for resolved
// sessions, and never on a session the customer did not write in: bounces and automated mail are stored without
// a turn (turn_state none), so a session with no contact message that had a turn was never a person's. Once per
// session: the survey row's unique session id makes a second close (or a retried job) ask nothing.

export type CsatStyle = NonNullable<ChannelCapabilities['csat']>;

const ASK = 'How would you rate the help you got?';

/** The message that asks, in the channel's way; `linkBase` is where the email links point (PUBLIC_URL/csat). */
export function csatPrompt(style: CsatStyle, token: string, linkBase: string): string {
  if (style === 'digits') return `${ASK} Reply with a number from 1 (poor) to 5 (excellent).`;
  if (style === 'buttons') return `${ASK} Tap a number, or reply with one from 1 (poor) to 5 (excellent).`;
  if (style === 'rating-row') return ASK;
  const labels = ['Poor', 'Fair', 'Good', 'Very good', 'Excellent'];
  const links = labels.map((label, i) => `${i + 1} – ${label}: ${linkBase}/${token}?score=${i + 1}`);
  return [`${ASK} Choose one:`, '', ...links].join('\n');
}

export interface CsatAsk {
  capabilities: (kind: ChannelKind, provider: string) => ChannelCapabilities | undefined;
  linkBase: string;
}

/** Asks, when the rules allow and it was not asked before; returns the prompt's dispatch job (to enqueue after commit). */
export async function requestCsat(db: Db, sessionId: string, ask: CsatAsk): Promise<MessageJobRef | null> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ session: sessions, channel: { id: channels.id, type: channels.type, provider: channels.provider, csatEnabled: channels.csatEnabled } })
      .from(sessions)
      .innerJoin(channels, eq(channels.id, sessions.channelId))
      .where(eq(sessions.id, sessionId))
      .for('update', { of: sessions });
    if (!row || row.session.status !== 'closed_resolved' || !row.channel.csatEnabled) return null;
    const style = ask.capabilities(row.channel.type, row.channel.provider)?.csat ?? null;
    if (!style) return null;
    const [wrote] = await tx
      .select({ id: messages.id })
      .from(messages)
      .where(and(eq(messages.sessionId, sessionId), eq(messages.sender, 'contact'), ne(messages.turnState, 'none')))
      .limit(1);
    if (!wrote) return null;
    const token = randomBytes(24).toString('base64url');
    const s = row.session;
    const [survey] = await tx
      .insert(csatSurveys)
      .values({ orgId: s.orgId, sessionId, channelId: row.channel.id, style, token })
      .onConflictDoNothing()
      .returning({ id: csatSurveys.id });
    if (!survey) return null;
    const channel = { id: row.channel.id, type: row.channel.type };
    const text = csatPrompt(style, token, ask.linkBase);
    const [line] = await writeLines(tx, [{ orgId: s.orgId, sessionId, channel, sender: 'system', text, context: { csat: { token, style } } }]);
    await tx.insert(events).values({ orgId: s.orgId, sessionId, type: 'csat.requested', data: { session_id: sessionId, survey_id: survey.id, style } });
    return line?.job ?? null;
  });
}
