import { fullTime, h, initials, safeHtmlFrame } from './dom.js';
import { isNote } from './inbox-item.js';

// The conversation: contact, AI, agent, note and system items look different; replies show their delivery state.

const DELIVERY = {
  queued: ['Queued', 'pending'],
  pending: ['Sending', 'pending'],
  sending: ['Sending', 'pending'],
  sent: ['Sent', 'ok'],
  delivered: ['Delivered', 'ok'],
  read: ['Read', 'ok'],
  failed: ['Failed', 'failed'],
  undelivered: ['Not delivered', 'failed'],
};
const SYSTEM_TEXT = {
  handoff: 'Handed off to a human',
  ai_resolved_issue: 'The AI resolved the issue',
  human_agent_joined: 'joined the conversation',
  human_agent_takeover: 'took over from the AI',
  status_changed: 'Status changed',
};

/** What kind of bubble an item is: contact | ai | agent | note | system. */
export function kindOf(item) {
  const e = item.event;
  if (isNote(item)) return 'note';
  if (e.type !== 'message' || e.context?.event_type) return 'system';
  if (e.sender?.type === 'contact') return 'contact';
  if (e.sender?.type === 'ai') return 'ai';
  return 'agent';
}

export function renderItem(item, { contactName, onRetry }) {
  const e = item.event;
  const kind = kindOf(item);
  const time = h('time', { datetime: item.created_at, title: fullTime(item.created_at) }, new Date(item.created_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }));

  if (kind === 'system') {
    const who = e.sender?.name ? `${e.sender.name} ` : '';
    const kindText = SYSTEM_TEXT[e.context?.event_type ?? e.type];
    const own = e.content?.text;
    // Agent events carry their own sentence; handoffs and status changes carry a reason, shown after what happened.
    const text = e.context?.event_type || e.type.startsWith('human_agent') ? own || `${who}${kindText}` : kindText && own && !own.startsWith(kindText) ? `${kindText}: ${own}` : own || kindText || e.type.replace(/_/g, ' ');
    return h('li', { class: 'msg msg-system', dataset: { id: item.id } }, h('span', {}, text), ' · ', time);
  }

  const author =
    kind === 'contact' ? e.sender?.name || contactName : kind === 'ai' ? e.sender?.name || 'AI assistant' : e.sender?.name || 'Agent';
  const label = { contact: 'Customer', ai: 'AI', agent: 'Agent', note: 'Private note' }[kind];
  const html = typeof e.context?.html === 'string' && e.context.html.trim() ? e.context.html : null;
  const body = h(
    'div',
    { class: 'msg-bubble' },
    html ? safeHtmlFrame(html, `Email from ${author}`) : e.content?.text ? h('p', { class: 'msg-text' }, e.content.text) : null,
    e.attachments?.length ? h('ul', { class: 'msg-files', 'aria-label': 'Attachments' }, e.attachments.map(fileChip)) : null,
  );
  const meta = h('div', { class: 'msg-meta' }, h('strong', {}, author), h('span', { class: `msg-tag msg-tag-${kind}` }, label), time, deliveryOf(item, onRetry));
  return h(
    'li',
    { class: `msg msg-${kind}`, dataset: { id: item.id }, 'aria-label': `${label}: ${author}` },
    h('span', { class: 'avatar avatar-sm', 'aria-hidden': 'true' }, kind === 'ai' ? 'AI' : initials(author)),
    h('div', { class: 'msg-content' }, meta, body),
  );
}

function fileChip(f) {
  const size = f.size > 1_000_000 ? `${(f.size / 1_000_000).toFixed(1)} MB` : `${Math.max(1, Math.round(f.size / 1000))} kB`;
  const isImage = /^image\/(png|jpe?g|gif|webp)$/.test(f.type) && f.url;
  const label = h('span', { class: 'file-name' }, f.name, h('span', { class: 'muted small' }, ` ${size}`));
  const content = isImage ? [h('img', { src: f.url, alt: f.name, class: 'msg-image', loading: 'lazy' }), label] : label;
  return h('li', {}, f.url ? h('a', { href: f.url, target: '_blank', rel: 'noopener noreferrer' }, content) : content);
}

function deliveryOf(item, onRetry) {
  const d = item.event.context?.delivery;
  if (!d || !d.status) return null;
  const [text, tone] = DELIVERY[d.status] ?? [d.status, 'pending'];
  const chip = h('span', { class: `delivery delivery-${tone}`, title: d.error ? `Error: ${typeof d.error === 'string' ? d.error : JSON.stringify(d.error)}` : text }, text);
  if (tone !== 'failed') return chip;
  return [chip, h('button', { type: 'button', class: 'btn btn-sm btn-ghost', onclick: () => onRetry(item.id) }, 'Retry delivery')];
}

/** All history of a session, oldest first (status changes included). */
export async function loadHistory(api, sessionId) {
  const items = [];
  let cursor;
  for (let page = 0; page < 20; page++) {
    const out = await api.get(`/chat/sessions/${sessionId}/history${api.qs({ limit: 100, cursor, include_status_changes: 'true' })}`);
    items.push(...out.items);
    if (!out.next) break;
    cursor = out.next;
  }
  return items;
}

/** Day separators between items of different days. */
export function withDays(items, render) {
  const out = [];
  let day = '';
  for (const item of items) {
    const d = new Date(item.created_at).toDateString();
    if (d !== day) {
      day = d;
      out.push(h('li', { class: 'msg-day', role: 'separator' }, new Date(item.created_at).toLocaleDateString(undefined, { weekday: 'long', month: 'short', day: 'numeric' })));
    }
    out.push(render(item));
  }
  return out;
}
