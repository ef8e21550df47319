import { h, mount, toast } from './dom.js';
import { agentsById } from './inbox.js';
import { STATUS_LABELS, channelBadge, contactName } from './inbox-item.js';
import { buildActionRunner } from './session-actions.js';
import { buildComposer } from './session-composer.js';
import { buildSide } from './session-side.js';
import { loadHistory, renderItem, withDays } from './session-thread.js';

// The session view: header with actions (assign, team, priority, hand back to AI, resolve/reopen), the thread,
// the composer and the side panel. Live events for this session reload it.

const PRIORITIES = ['low', 'normal', 'high', 'urgent'];

/** @param {HTMLElement} root @param {import('./app.js').ViewCtx & {sessionId: string}} ctx */
export async function render(root, ctx) {
  const { api, me, sessionId, navigate } = ctx;
  let session = await api.get(`/chat/sessions/${encodeURIComponent(sessionId)}`);
  const [agents, teams] = await Promise.all([agentsById(api), api.get('/teams?limit=100').then((t) => t.items, () => [])]);

  const title = h('h1', { id: 'session-title' });
  const subtitle = h('div', { class: 'session-sub' });
  const actions = h('div', { class: 'session-actions', role: 'toolbar', 'aria-label': 'Conversation actions' });
  const thread = h('ol', { class: 'thread', 'aria-label': 'Messages', 'aria-live': 'polite' });
  const threadScroll = h('div', { class: 'thread-scroll' }, thread);
  const composer = buildComposer({ api, sessionId, getSession: () => session, onSent: () => refresh(true) });
  const side = buildSide({ api, navigate });
  // The actions card sits at the end of the side panel, kept (with its form) across the panel's redraws.
  const actionRunner = buildActionRunner({ api, me, sessionId, onRan: () => refresh(false) });
  const drawSide = () => {
    side.update(session);
    side.el.append(actionRunner.el);
  };
  const back = h('a', { href: ctx.lastInbox(), class: 'btn btn-ghost btn-sm back', 'aria-label': 'Back to inbox' }, '← Inbox');

  mount(
    root,
    h(
      'div',
      { class: 'session-view' },
      h(
        'section',
        { class: 'session-main', 'aria-labelledby': 'session-title' },
        h('header', { class: 'session-header' }, h('div', { class: 'session-heading' }, back, h('div', {}, title, subtitle)), actions),
        threadScroll,
        composer.el,
      ),
      side.el,
    ),
  );

  async function patch(body, done) {
    try {
      session = await api.patch(`/chat/sessions/${sessionId}`, body);
      drawHeader();
      drawSide();
      if (done) toast(done, 'ok');
      ctx.refreshCounts();
      refresh(false);
    } catch (/** @type {any} */ err) {
      toast(err.message, 'error');
    }
  }

  function select(label, value, options, onchange) {
    const id = `sel-${label.toLowerCase().replace(/\W+/g, '-')}`;
    const el = h('select', { id, onchange: () => onchange(el.value) }, options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)));
    return h('span', { class: 'inline-field' }, h('label', { for: id, class: 'muted small' }, label), el);
  }

  function drawHeader() {
    const name = contactName(session.contact);
    title.textContent = name;
    document.title = `${name} · Switchboard`;
    const assignee = session.assignee_id ? (session.assignee_id === me.agent.id ? 'you' : agents.get(session.assignee_id)?.name ?? 'an agent') : null;
    mount(
      subtitle,
      channelBadge(session.channel.type),
      h('span', { class: `badge badge-${session.status}` }, STATUS_LABELS[session.status]),
      session.handed_off ? null : h('span', { class: 'badge badge-ai' }, 'AI handling'),
      h('span', { class: 'muted small' }, `#${session.ticket_number}`, session.subject ? ` · ${session.subject}` : '', assignee ? ` · Assigned to ${assignee}` : ' · Unassigned'),
    );
    const open = session.status === 'open';
    mount(
      actions,
      session.assignee_id !== me.agent.id && open
        ? h('button', { type: 'button', class: 'btn', onclick: () => patch({ assignee_id: me.agent.id }, 'Assigned to you') }, 'Assign to me')
        : null,
      select('Assignee', session.assignee_id ?? '', [['', 'Unassigned'], ...[...agents.values()].map((a) => [a.id, a.id === me.agent.id ? `${a.name} (you)` : a.name])], (v) =>
        patch({ assignee_id: v || null }, v ? 'Assigned' : 'Unassigned'),
      ),
      select('Team', session.team?.id ?? '', [['', 'No team'], ...teams.map((t) => [t.id, t.name])], (v) => patch({ team_id: v || null }, 'Team changed')),
      select('Priority', session.priority, PRIORITIES.map((p) => [p, p[0].toUpperCase() + p.slice(1)]), (v) => patch({ priority: v }, 'Priority changed')),
      session.handed_off && open ? h('button', { type: 'button', class: 'btn', onclick: () => patch({ handed_off: false }, 'Handed back to the AI') }, 'Hand back to AI') : null,
      open
        ? h('button', { type: 'button', class: 'btn btn-success', onclick: resolve, 'aria-keyshortcuts': 'e' }, 'Resolve')
        : h('button', { type: 'button', class: 'btn', onclick: () => patch({ status: 'open' }, 'Reopened') }, 'Reopen'),
    );
  }

  function resolve() {
    return patch({ status: 'closed_resolved' }, 'Resolved');
  }

  let drawn = '';
  async function refresh(reloadSession) {
    try {
      if (reloadSession) {
        session = await api.get(`/chat/sessions/${sessionId}`);
        drawHeader();
        drawSide();
      }
      const items = await loadHistory(api, sessionId);
      const key = items.map((i) => `${i.id}:${i.event.context?.delivery?.status ?? ''}`).join(',');
      if (key === drawn) return;
      const atBottom = threadScroll.scrollHeight - threadScroll.scrollTop - threadScroll.clientHeight < 80;
      drawn = key;
      const name = contactName(session.contact);
      thread.replaceChildren(
        ...(items.length ? withDays(items, (i) => renderItem(i, { contactName: name, onRetry })) : [h('li', { class: 'msg-system' }, 'No messages yet.')]),
      );
      if (atBottom || !thread.dataset.scrolled) {
        threadScroll.scrollTop = threadScroll.scrollHeight;
        thread.dataset.scrolled = '1';
      }
    } catch (/** @type {any} */ err) {
      toast(`Could not refresh: ${err.message}`, 'error');
    }
  }

  async function onRetry(messageId) {
    try {
      await api.post(`/chat/sessions/${sessionId}/messages/${messageId}/retry`, {});
      toast('Sending again', 'ok');
      setTimeout(() => refresh(false), 800);
    } catch (/** @type {any} */ err) {
      toast(err.message, 'error');
    }
  }

  let liveTimer;
  ctx.onEvent((ev) => {
    if (sessionOf(ev) !== sessionId) return;
    clearTimeout(liveTimer);
    liveTimer = setTimeout(() => refresh(true), 250);
  });
  // Delivery receipts may not arrive as events on every channel: poll gently while the view is open.
  const poll = setInterval(() => document.visibilityState === 'visible' && refresh(false), 15_000);
  ctx.onLeave(() => {
    clearTimeout(liveTimer);
    clearInterval(poll);
    document.title = 'Switchboard console';
  });

  ctx.onKey((e) => {
    if (e.key === 'r') return composer.focus(), true;
    if (e.key === 'e' && session.status === 'open') return resolve(), true;
    if (e.key === 'Escape') return navigate(ctx.lastInbox()), true;
    return false;
  });

  drawHeader();
  drawSide();
  await refresh(false);
}

/** The session an event is about, whatever shape the stream's data has. */
export function sessionOf(ev) {
  const d = ev?.data;
  if (!d || typeof d !== 'object') return null;
  return d.session_id ?? d.sessionId ?? d.data?.session_id ?? d.data?.sessionId ?? d.session?.id ?? d.data?.session?.id ?? null;
}
