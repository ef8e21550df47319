import { createKnowledgeResponder } from './knowledge-responder.ts';
import { createOpenAiResponder } from './openai-responder.ts';
import type { AiSettings, Responder } from './responder.ts';

// The organization's responder, from its AI settings. `fetch` is injected (as for channel adapters) so tests and
// deployments with an egress proxy control the one network call a responder makes.
//
// An `openai` responder without base_url or model cannot answer; rather than failing every turn it falls back to the
// embedded knowledge responder (the settings API already refuses to store such a combination).

export function createResponder(settings: AiSettings, deps: { fetch: typeof fetch }): Responder {
  if (settings.responder === 'openai' && settings.base_url && settings.model) {
    return createOpenAiResponder({ ...settings, base_url: settings.base_url, model: settings.model }, deps);
  }
  return createKnowledgeResponder(settings);
}
