import { descendants, readTwiml, type TwimlVerb } from './twiml-reader.ts';

// What one Twilio request of a scripted call got back, read the way Twilio reads it: the verbs, what would be said,
// and where the call goes next.

/** One step of a scripted call (see ScriptedCall). */
export interface CallStep {
  status: number;
  twiml: string;
  /** The verbs directly under <Response>. */
  verbs: TwimlVerb[];
  /** Every <Say> line, nested ones included, in order. */
  says: string[];
  /** Absolute action URL (as written, entity-decoded; relative ones resolved like Twilio does). */
  gather?: { action: string; input: string };
  dial?: { number?: string; action?: string; callerId?: string };
  enqueue?: string;
  hangup: boolean;
  redirect?: string;
  /** The TwiML of every response in this step, the final one last. */
  trail: string[];
}

/** Twilio requests exactly the URL its TwiML names; only relative ones are resolved against the current URL. */
export function resolveTwimlUrl(target: string | undefined, current: string): string {
  if (!target) return current;
  return /^[a-z][a-z0-9+.-]*:/i.test(target) ? target : new URL(target, current).toString();
}

/** Reads one response; `trail` collects the TwiML of every response of the step. */
export function toCallStep(status: number, twiml: string, url: string, trail: string[]): CallStep {
  trail.push(twiml);
  const step: CallStep = { status, twiml, verbs: [], says: [], hangup: false, trail };
  if (status !== 200) return step;
  const root = readTwiml(twiml);
  if (root.name !== 'Response') throw new Error(`expected <Response>, got <${root.name}>`);
  step.verbs = root.children;
  step.says = descendants(root).filter((v) => v.name === 'Say').map((v) => v.text);
  for (const v of root.children) {
    if (v.name === 'Gather') step.gather = { action: resolveTwimlUrl(v.attrs.action, url), input: v.attrs.input ?? 'dtmf' };
    if (v.name === 'Dial') {
      const number = v.children.find((c) => c.name === 'Number')?.text ?? (v.text || undefined);
      step.dial = { number, action: v.attrs.action && resolveTwimlUrl(v.attrs.action, url), callerId: v.attrs.callerId };
    }
    if (v.name === 'Enqueue') step.enqueue = v.text;
    if (v.name === 'Hangup') step.hangup = true;
    if (v.name === 'Redirect') step.redirect = resolveTwimlUrl(v.text, url);
    // Nothing after these runs: Twilio leaves the document.
    if (v.name === 'Hangup' || v.name === 'Redirect') break;
  }
  return step;
}
