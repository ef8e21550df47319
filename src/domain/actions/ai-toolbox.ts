import type { ActionToolbox, ToolOutcome } from '../../ai/action-tools.ts';
import { ValidationError } from '../../errors.ts';
import { runAction, type RunDeps } from './action-run.ts';
import { validateParameters } from './action-parameters.ts';
import { actionNamed, aiActions } from './action-store.ts';
import { earlierRun } from './turn-calls.ts';

// The AI's side of system actions (src/ai/action-tools.ts): the actions whose run_by has "ai", and running one
// the model called, as the run endpoint does for agents (validated, through the outbound guard, both history
// entries and events). What goes back to the model is JSON: the result, or why it failed; arguments that are not
// JSON or do not match the schema are told to the model without a request.

const toModel = (value: unknown): string => JSON.stringify(value);

export function actionToolbox(deps: RunDeps): ActionToolbox {
  return {
    list: async (orgId) => (await aiActions(deps, orgId)).map((a) => ({ name: a.name, description: a.description, parameters: a.parameters })),

    async run(orgId, sessionId, name, args, signal, turnKey): Promise<ToolOutcome> {
      const action = await actionNamed(deps, orgId, name);
      if (!action || !action.runBy.includes('ai')) return { ok: false, content: toModel({ error: `There is no action named ${name}.` }), error: 'no such action' };
      let parameters: unknown;
      try {
        parameters = JSON.parse(args || '{}');
      } catch {
        return { ok: false, content: toModel({ error: 'The arguments were not valid JSON.' }), error: 'arguments not JSON' };
      }
      try {
        const earlier = turnKey ? await earlierRun(deps.db, orgId, sessionId, turnKey, action.id, validateParameters(action.parameters, parameters)) : null;
        if (earlier?.kind === 'completed') {
          const content = toModel({ ok: earlier.ok, status: earlier.status, ...(earlier.ok ? { result: earlier.result } : { error: earlier.error }) });
          return { ok: earlier.ok, content, error: earlier.error ?? undefined };
        }
        if (earlier?.kind === 'unknown') {
          const error = 'An earlier attempt of this exact call did not report back and may have run. Do not call it again: tell the customer a colleague will check.';
          return { ok: false, content: toModel({ error }), error: 'outcome unknown (the turn was retried)' };
        }
        const run = await runAction(deps, orgId, sessionId, action, parameters, { runner: 'ai', caller: { type: 'ai' }, turnKey }, signal);
        const content = toModel({ ok: run.ok, status: run.status, ...(run.ok ? { result: run.body } : { error: run.error }) });
        return { ok: run.ok, content, error: run.error ?? undefined };
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        const problems = err.details?.map((d) => `${d.path}: ${d.message}`).join('; ') || err.message;
        return { ok: false, content: toModel({ error: `Invalid parameters: ${problems}` }), error: 'invalid parameters' };
      }
    },
  };
}
