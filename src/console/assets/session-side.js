import { fullTime, h, initials, timeAgo } from './dom.js';
import { CHANNEL_LABELS, STATUS_LABELS, channelBadge, contactName } from './inbox-item.js';

// The side panel: who the customer is, the session's and the contact's custom data, their other conversations.

export function buildSide({ api, navigate }) {
  const el = h('aside', { class: 'side', 'aria-label': 'Details' });

  async function update(session) {
    const c = session.contact;
    const name = contactName(c);
    const others = h('ul', { class: 'side-sessions', role: 'list', 'aria-label': 'Other conversations' }, h('li', { class: 'muted small' }, 'Loading…'));
    el.replaceChildren(
      h(
        'section',
        { class: 'side-card side-contact' },
        h('span', { class: 'avatar avatar-lg', 'aria-hidden': 'true' }, initials(name)),
        h('h2', {}, name),
        c.verified ? h('span', { class: 'badge badge-closed_resolved' }, 'Verified') : h('span', { class: 'badge' }, 'Not verified'),
        facts([
          ['Email', c.email ?? c.non_verified_email],
          ['Phone', c.phone_number],
          ...c.identities.map((i) => [CHANNEL_LABELS[i.channel_type] ?? i.channel_type, i.address]),
          ['Opted out', c.opted_out.length ? c.opted_out.map((k) => CHANNEL_LABELS[k] ?? k).join(', ') : null],
          ['Customer since', fullTime(c.created_at)],
        ]),
      ),
      h(
        'section',
        { class: 'side-card' },
        h('h3', {}, 'Conversation'),
        facts([
          ['Ticket', `#${session.ticket_number}`],
          ['Channel', CHANNEL_LABELS[session.channel.type] ?? session.channel.type],
          ['Status', STATUS_LABELS[session.status]],
          ['Started', fullTime(session.created_at)],
          ['Language', session.language],
          ['Sentiment', session.sentiment],
          ['AI outcome', session.ai_closure_type],
          ['Messages', String(session.message_count)],
        ]),
        session.handoff ? h('div', { class: 'side-summary' }, h('h3', {}, 'Handoff summary'), h('p', {}, session.handoff.summary)) : null,
        session.summary ? h('div', { class: 'side-summary' }, h('h3', {}, 'Summary'), h('p', {}, session.summary)) : null,
      ),
      tagsCard(api, session),
      csatCard(api, session),
      dataCard('Session data', session.custom_data),
      dataCard('Contact data', { ...(c.non_verified_custom_data ?? {}), ...(c.custom_data ?? {}) }),
      h('section', { class: 'side-card' }, h('h3', {}, 'Other conversations'), others),
    );
    try {
      const out = await api.get(`/chat/sessions${api.qs({ contact_id: c.id, limit: 20 })}`);
      const items = out.items.filter((s) => s.id !== session.id);
      others.replaceChildren(
        ...(items.length
          ? items.map((s) =>
              h(
                'li',
                {},
                h(
                  'a',
                  { href: `#/sessions/${s.id}`, class: 'side-session', onclick: (e) => (e.preventDefault(), navigate(`#/sessions/${s.id}`)) },
                  h('span', {}, `#${s.ticket_number} `, s.subject ?? ''),
                  h('span', { class: 'side-session-meta' }, channelBadge(s.channel.type), h('span', { class: `badge badge-${s.status}` }, STATUS_LABELS[s.status]), h('span', { class: 'muted small' }, timeAgo(s.last_message_at ?? s.created_at))),
                ),
              ),
            )
          : [h('li', { class: 'muted small' }, 'No other conversations.')]),
      );
    } catch (/** @type {any} */ err) {
      others.replaceChildren(h('li', { class: 'muted small' }, `Could not load: ${err.message}`));
    }
  }
  return { el, update };
}

/** The customer's rating of this session (GET /csat/scores/session/{id}), when one was asked for. */
function csatCard(api, session) {
  const card = h('section', { class: 'side-card', hidden: true, 'aria-label': 'CSAT' });
  api
    .get(`/csat/scores/session/${session.id}`)
    .then((s) => {
      const value = s.score == null ? 'Asked, no answer yet' : `${s.score} / 5`;
      card.replaceChildren(h('h3', {}, 'CSAT'), facts([['Rating', value], ['Comment', s.comment], ['Answered', s.submitted_at ? fullTime(s.submitted_at) : null]]));
      card.hidden = false;
    })
    .catch(() => {}); // 404: none was asked for this session
  return card;
}

/** The session's tags: each removable, and a field to add more (POST /chat/sessions/{id}/tags). */
function tagsCard(api, session) {
  const list = h('ul', { class: 'tags', role: 'list', 'aria-label': 'Tags' });
  const show = (tags) =>
    list.replaceChildren(
      ...(tags.length ? tags : []).map((t) =>
        h('li', { class: 'tag' }, t, h('button', { type: 'button', class: 'tag-remove', 'aria-label': `Remove tag ${t}`, onclick: () => change(() => api.del(`/chat/sessions/${session.id}/tags/${encodeURIComponent(t)}`)) }, '×')),
      ),
      ...(tags.length ? [] : [h('li', { class: 'muted small' }, 'No tags')]),
    );
  const error = h('p', { class: 'tag-error small', role: 'alert' });
  const change = async (call) => {
    error.textContent = '';
    try {
      show((await call()).tags);
    } catch (/** @type {any} */ err) {
      error.textContent = err.message;
    }
  };
  const input = h('input', { type: 'text', placeholder: 'Add a tag', 'aria-label': 'New tag', maxlength: 50 });
  const form = h(
    'form',
    {
      class: 'tag-add',
      onsubmit: (e) => {
        e.preventDefault();
        const tags = input.value.split(',').map((t) => t.trim()).filter(Boolean);
        if (!tags.length) return;
        input.value = '';
        change(() => api.post(`/chat/sessions/${session.id}/tags`, { tags }));
      },
    },
    input,
    h('button', { type: 'submit', class: 'btn' }, 'Add'),
  );
  show(session.tags ?? []);
  return h('section', { class: 'side-card' }, h('h3', {}, 'Tags'), list, form, error);
}

function facts(pairs) {
  const rows = pairs.filter(([, v]) => v !== null && v !== undefined && v !== '');
  return h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]));
}

function dataCard(title, data) {
  const entries = Object.entries(data ?? {});
  return h(
    'section',
    { class: 'side-card' },
    h('h3', {}, title),
    entries.length ? facts(entries.map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : v])) : h('p', { class: 'muted small' }, 'None'),
  );
}
