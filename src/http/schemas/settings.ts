import { z } from '@hono/zod-openapi';
import { aiSettingsPatchSchema } from '../../domain/organization/ai-settings.ts';

// Request and response schemas of /settings/ai. The PATCH body's rules live with the domain (ai-settings.ts).

// `.meta` (zod's own), not `.openapi`: the domain schema may be built before @hono/zod-openapi extends zod.
export const PatchAiSettingsBody = aiSettingsPatchSchema.meta({
  id: 'UpdateAiSettingsInput',
  description:
    'Any subset. `handoff` merges key by key; null clears base_url, model or api_key. The openai responder needs base_url and model.',
});

export const AiSettingsDto = z
  .object({
    responder: z.enum(['knowledge', 'openai']),
    base_url: z.string().nullable().openapi({ description: 'An OpenAI-compatible API base, e.g. https://api.openai.com/v1.' }),
    model: z.string().nullable(),
    api_key_set: z.boolean().openapi({ description: 'Whether a model API key is stored (it is never returned).' }),
    timeout_ms: z.number().int(),
    confidence_threshold: z.number().openapi({ description: 'Below it (0..1) the AI hands off instead of guessing.' }),
    handoff: z.object({
      custom_data_rules: z
        .array(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])))
        .openapi({ description: 'A session whose custom_data matches every key of a rule goes to a human.' }),
      on_negative_sentiment: z.boolean(),
      max_failed_attempts: z.number().int(),
    }),
    queue_message: z.string().openapi({ description: 'Told to the customer once when every agent is busy.' }),
    tag_rules: z
      .array(z.object({ tag: z.string(), when: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])) }))
      .openapi({ description: 'The AI tags a session whose custom_data has every pair of `when` (on each turn it handles).' }),
    always_summarize: z.boolean().openapi({
      description: 'Summarize every close, even one made with Open’s generate_summary_and_sentiment_on_resolve: false.',
    }),
  })
  .openapi('AiSettings');
