import { createKnowledgeResponder } from './knowledge-responder.ts';
import { createOpenAiResponder, type OpenAiDeps } from './openai-responder.ts';
import type { AiSettings, Responder } from './responder.ts';

// The organization's responder, from its AI settings. `fetch` is injected: the workers pass the outbound guard
// (base_url is an admin's choice, so it may reach only public addresses unless OUTBOUND_ALLOW_CIDRS says otherwise),
// and the organization's system actions as tools (the knowledge responder calls none).
//
// An `openai` responder without base_url or model cannot answer; rather than failing every turn it falls back to the
// embedded knowledge responder (the settings API already refuses to store such a combination).

export function createResponder(settings: AiSettings, deps: OpenAiDeps): Responder {
  if (settings.responder === 'openai' && settings.base_url && settings.model) {
    return createOpenAiResponder({ ...settings, base_url: settings.base_url, model: settings.model }, deps);
  }
  return createKnowledgeResponder(settings);
}
