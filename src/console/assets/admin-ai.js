// Admin › AI: which responder answers first, the model connection and when the AI hands off to a human.
import { el, field, formCard, header, input, select, textarea } from './admin-ui.js';

/** @param {HTMLElement} root @param {import('./app.js').ViewCtx} ctx */
export async function renderAi(root, ctx) {
  const { api } = ctx;
  const s = await api.get('/settings/ai');
  const responder = select([{ value: 'knowledge', label: 'Knowledge base (built in, no model)' }, { value: 'openai', label: 'OpenAI-compatible model' }], s.responder);
  const baseUrl = input({ type: 'url', value: s.base_url ?? '', placeholder: 'https://api.openai.com/v1' });
  const model = input({ value: s.model ?? '', placeholder: 'gpt-4o-mini' });
  const apiKey = input({ type: 'password', autocomplete: 'new-password', placeholder: s.api_key_set ? 'set — leave blank to keep' : '' });
  const timeout = input({ type: 'number', min: 100, max: 120000, value: String(s.timeout_ms) });
  const threshold = input({ type: 'number', min: 0, max: 1, step: 0.05, value: String(s.confidence_threshold) });
  const queueMessage = textarea(s.queue_message, { rows: 3 });
  const negative = el('input', { type: 'checkbox', class: 'adm-check', checked: s.handoff.on_negative_sentiment });
  const negativeId = `ai-neg-${Date.now()}`;
  negative.id = negativeId;
  const maxFailed = input({ type: 'number', min: 1, max: 20, value: String(s.handoff.max_failed_attempts) });
  const rules = textarea(JSON.stringify(s.handoff.custom_data_rules, null, 2), { rows: 4, class: 'adm-input adm-mono' });
  const clearKey = el('input', { type: 'checkbox', class: 'adm-check', id: `ai-clear-${Date.now()}` });

  const form = formCard('Assistant', [
    field('Responder', responder, 'The knowledge responder answers from your articles; a model writes answers grounded in them.').row,
    field('Model API base URL', baseUrl).row,
    field('Model', model).row,
    field('Model API key', apiKey, s.api_key_set ? 'A key is stored (never shown).' : 'No key stored.').row,
    s.api_key_set ? el('div', { class: 'adm-field adm-field-check' }, clearKey, el('label', { for: clearKey.id }, 'Remove the stored API key')) : null,
    field('Timeout (ms)', timeout).row,
    field('Confidence threshold', threshold, 'Between 0 and 1: below it the AI hands off instead of guessing.').row,
    field('Queue message', queueMessage, 'Told to the customer once when every agent is busy.').row,
    el('h3', {}, 'Hand-off to a human'),
    el('div', { class: 'adm-field adm-field-check' }, negative, el('label', { for: negativeId }, 'Hand off on negative sentiment')),
    field('Max failed attempts', maxFailed, 'Unanswered questions before a human takes over.').row,
    field('Custom data rules', rules, 'JSON list: a session whose custom_data matches every key of a rule goes to a human, e.g. [{"plan": "enterprise"}].').row,
  ].filter(Boolean), async (status) => {
    let customRules;
    try {
      customRules = JSON.parse(rules.value.trim() || '[]');
    } catch {
      throw new Error('Custom data rules: not valid JSON.');
    }
    const patch = {
      responder: responder.value,
      base_url: baseUrl.value.trim() || null,
      model: model.value.trim() || null,
      timeout_ms: Number(timeout.value),
      confidence_threshold: Number(threshold.value),
      queue_message: queueMessage.value.trim(),
      handoff: { on_negative_sentiment: negative.checked, max_failed_attempts: Number(maxFailed.value), custom_data_rules: customRules },
    };
    if (apiKey.value) patch.api_key = apiKey.value;
    else if (clearKey.checked) patch.api_key = null;
    const saved = await api.patch('/settings/ai', patch);
    apiKey.value = '';
    apiKey.placeholder = saved.api_key_set ? 'set — leave blank to keep' : '';
    status.ok('AI settings saved.');
  }, 'Save settings');
  root.replaceChildren(header('AI assistant', 'The AI answers first and hands conversations to your team when it should.'), form);
}
