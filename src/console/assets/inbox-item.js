import { h, initials, timeAgo, fullTime } from './dom.js';

// One row of the session list, and the "last message" preview each row shows (the list API has no message text,
// so previews are read from each session's history and cached until the session moves again).

export const CHANNEL_LABELS = { web: 'Web', email: 'Email', phone_voice: 'Phone', sms: 'SMS', whatsapp: 'WhatsApp', slack: 'Slack', api: 'API' };
export const STATUS_LABELS = { open: 'Open', closed_resolved: 'Resolved', closed_unresolved: 'Closed' };

export function contactName(contact) {
  return contact?.name || contact?.non_verified_name || contact?.email || contact?.phone_number || 'Unknown visitor';
}

export function channelBadge(type) {
  return h('span', { class: `badge badge-${type}` }, CHANNEL_LABELS[type] ?? type);
}

export function sessionRow(s, { agentsById, meId }) {
  const name = contactName(s.contact);
  const preview = h('span', { class: 'row-preview' }, s.subject || s.summary || '\u00a0');
  const assignee = s.assignee_id ? (s.assignee_id === meId ? 'You' : agentsById.get(s.assignee_id)?.name ?? 'Agent') : s.handed_off ? 'Unassigned' : 'AI';
  const meta = [
    channelBadge(s.channel.type),
    s.status !== 'open' ? h('span', { class: `badge badge-${s.status}` }, STATUS_LABELS[s.status]) : null,
    s.priority === 'urgent' || s.priority === 'high' ? h('span', { class: `badge badge-${s.priority}` }, s.priority === 'urgent' ? 'Urgent' : 'High') : null,
    s.team ? h('span', { class: 'row-team' }, s.team.name) : null,
    ...(s.tags ?? []).map((t) => h('span', { class: 'tag' }, t)),
    h('span', { class: 'row-assignee' }, assignee),
  ];
  const link = h(
    'a',
    { href: `#/sessions/${encodeURIComponent(s.id)}`, class: 'row-link', 'aria-label': `${name}, ${CHANNEL_LABELS[s.channel.type] ?? s.channel.type}` },
    h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(name)),
    h(
      'span',
      { class: 'row-body' },
      h(
        'span',
        { class: 'row-top' },
        h('span', { class: 'row-name' }, name),
        h('span', { class: 'row-ticket muted' }, `#${s.ticket_number}`),
        h('time', { class: 'row-time muted', datetime: s.last_message_at ?? s.updated_at, title: fullTime(s.last_message_at ?? s.updated_at) }, timeAgo(s.last_message_at ?? s.updated_at)),
      ),
      preview,
      h('span', { class: 'row-meta' }, meta),
    ),
  );
  const li = h('li', { class: `row ${s.handed_off && !s.assignee_id && s.status === 'open' ? 'row-waiting' : ''}`, dataset: { id: s.id } }, link);
  return { li, link, preview, session: s };
}

const previews = new Map();

/** Fills each row's preview with the session's last message (a few sessions at a time). */
export async function loadPreviews(api, rows, isCurrent) {
  const queue = [...rows];
  const worker = async () => {
    while (queue.length && isCurrent()) {
      const row = queue.shift();
      const s = row.session;
      const key = `${s.id}:${s.last_message_at}`;
      try {
        if (!previews.has(key)) previews.set(key, await lastMessage(api, s.id));
        const last = previews.get(key);
        if (last) setPreview(row.preview, last);
      } catch {
        // the row keeps its subject line
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

function setPreview(el, last) {
  const who = last.event.sender?.type === 'contact' ? '' : last.event.sender?.type === 'ai' ? 'AI: ' : 'You: ';
  const prefix = last.event.sender?.type === 'human_agent' ? `${last.event.sender.name ?? 'Agent'}: ` : who;
  const text = last.event.content?.text || (last.event.attachments?.length ? `File: ${last.event.attachments[0].name}` : '');
  el.textContent = `${prefix}${text}`.replace(/\s+/g, ' ').slice(0, 160) || '\u00a0';
}

async function lastMessage(api, sessionId) {
  let cursor;
  let last = null;
  for (let page = 0; page < 5; page++) {
    const out = await api.get(`/chat/sessions/${sessionId}/history${api.qs({ limit: 100, cursor })}`);
    for (const item of out.items) if (item.event.type === 'message' && !item.event.context?.event_type && !isNote(item)) last = item;
    if (!out.next) break;
    cursor = out.next;
  }
  return last;
}

/** A private note (kept in history, never sent to the customer). */
export function isNote(item) {
  return item.event.type === 'human_agent_comment' || item.event.context?.private === true;
}
