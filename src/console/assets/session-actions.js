import { schemaForm } from './admin-schema-form.js';
import { h } from './dom.js';

// The session view's "Actions" card: the system actions the signed-in role may run (an action's run_by), a form
// built from the chosen one's parameter schema (the admin's channel-config form builder), Run, and the outcome.
// The call and its result also land in the thread as system events; `onRan` refreshes it.

/** @param {{api: import('./api.js').Api, me: any, sessionId: string, onRan: () => void}} deps */
export function buildActionRunner({ api, me, sessionId, onRan }) {
  const body = h('div', { class: 'side-actions-body' }, h('p', { class: 'muted small' }, 'Loading…'));
  const el = h('section', { class: 'side-card side-actions', 'aria-label': 'Actions' }, h('h3', {}, 'Actions'), body);
  const role = me?.agent?.role ?? 'agent';

  api.get('/actions?limit=200').then(
    (page) => show(page.items.filter((a) => a.run_by.includes(role))),
    (/** @type {any} */ err) => body.replaceChildren(h('p', { class: 'muted small' }, `Could not load actions: ${err.message}`)),
  );

  /** @param {any[]} actions */
  function show(actions) {
    if (!actions.length) return body.replaceChildren(h('p', { class: 'muted small' }, 'No actions you can run.'));
    const picker = h('select', { id: 'action-pick', 'aria-label': 'Action' }, actions.map((a) => h('option', { value: a.id }, a.name)));
    const fields = h('div', { class: 'side-action-fields' });
    const result = h('div', { class: 'side-action-result', role: 'status', 'aria-live': 'polite' });
    let form = { collect: () => ({}) };
    const pick = () => {
      const action = actions.find((a) => a.id === picker.value);
      const hasFields = Object.keys(action?.parameters?.properties ?? {}).length > 0;
      form = hasFields ? schemaForm(action.parameters) : { node: null, collect: () => ({}) };
      fields.replaceChildren(action?.description ? h('p', { class: 'muted small' }, action.description) : '', form.node ?? '');
      result.replaceChildren();
    };
    const run = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Run');
    const submit = async (/** @type {Event} */ e) => {
      e.preventDefault();
      run.disabled = true;
      result.replaceChildren(h('p', { class: 'muted small' }, 'Running…'));
      try {
        const out = await api.post(`/chat/sessions/${sessionId}/actions/${picker.value}/run`, { parameters: form.collect() });
        result.replaceChildren(outcome(out));
        onRan();
      } catch (/** @type {any} */ err) {
        result.replaceChildren(h('p', { class: 'action-failed small' }, err.message));
      } finally {
        run.disabled = false;
      }
    };
    picker.addEventListener('change', pick);
    body.replaceChildren(h('form', { class: 'side-action-form', onsubmit: submit }, picker, fields, run), result);
    pick();
  }
  return { el };
}

/** What a run answered: done or failed (with why), and the response body. */
function outcome(out) {
  const said = out.ok ? `Done (HTTP ${out.status})` : `Failed: ${out.error}`;
  const shown = out.result === null || out.result === undefined || out.result === '' ? null : typeof out.result === 'string' ? out.result : JSON.stringify(out.result, null, 2);
  return h('div', {}, h('p', { class: out.ok ? 'action-ok small' : 'action-failed small' }, said), shown ? h('pre', { class: 'action-body' }, shown) : null);
}
