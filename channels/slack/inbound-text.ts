// Slack's message text → the plain text we store. Slack writes links, mentions and channel references as
// `<…>` sequences and escapes the three control characters (&amp; &lt; &gt;) everywhere else; an agent or an AI
// reading the conversation should see `label (https://x)` and `@U123`, not the wire encoding.

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>' };

/** One `<…>` sequence, as a reader would write it. */
function readable(inner: string): string {
  const bar = inner.indexOf('|');
  const target = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? '' : inner.slice(bar + 1);
  if (target.startsWith('@')) return target; // user mention: the id, which names the contact (a label may be stale)
  if (target.startsWith('#')) return `#${label || target.slice(1)}`;
  if (target.startsWith('!')) {
    // <!here>, <!channel>, <!subteam^S123|@team>, <!date^…|fallback>
    if (label) return label.startsWith('@') || target.startsWith('!date') ? label : `@${label}`;
    return `@${target.slice(1).split('^')[0]}`;
  }
  const plainTarget = target.replace(/^mailto:/, '');
  if (!label || label === target || label === plainTarget) return plainTarget;
  return `${label} (${plainTarget})`;
}

/**
 * Slack text as plain text: the leading mention of our bot (how people address it in a channel) dropped, the
 * remaining `<…>` sequences spelled out, and the entities decoded in a single pass (so `&amp;lt;` stays `&lt;`).
 */
export function slackToPlainText(text: string, botUserId?: string): string {
  let s = text;
  if (botUserId) {
    const lead = new RegExp(`^\\s*<@${botUserId}(\\|[^>]*)?>[\\s,:]*`);
    s = s.replace(lead, '');
  }
  s = s.replace(/<([^<>\n]+)>/g, (_, inner: string) => readable(inner));
  return s.replace(/&(amp|lt|gt);/g, (m) => ENTITIES[m] ?? m).trim();
}
