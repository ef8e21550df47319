import { z } from '@hono/zod-openapi';

// Open adds request fields over time (today `session_closed_payload` on PATCH /chat/sessions/{id}); a drop-in Open
// client must not break on one with a 400. Request bodies of Open's operations are therefore tolerant: unknown
// fields are accepted, dropped, and named on the parsed value (under a symbol) so the router's validation hook can
// log them at debug — someone will want to know what a client sends that we ignore. Switchboard's own admin
// resources stay strict: a typo there should be a 400, not a silently ignored setting.

const IGNORED = Symbol('ignored request fields');

/** A z.object over `shape` that accepts and drops unknown keys, remembering their names for ignoredFields(). */
export function tolerantObject<S extends z.ZodRawShape>(shape: S) {
  return z.looseObject(shape).transform((value) => {
    const known: Record<string, unknown> = {};
    const unknown: string[] = [];
    for (const [key, v] of Object.entries(value)) {
      if (Object.hasOwn(shape, key)) known[key] = v;
      else unknown.push(key);
    }
    if (unknown.length > 0) Object.defineProperty(known, IGNORED, { value: unknown, enumerable: false });
    return known as z.output<z.ZodObject<S>>;
  });
}

/** Dotted paths of every field a tolerant object dropped anywhere in a parsed value. */
export function ignoredFields(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => ignoredFields(v, `${path}${i}.`));
  if (!value || typeof value !== 'object' || value instanceof Date) return [];
  const own = ((value as { [IGNORED]?: string[] })[IGNORED] ?? []).map((k) => path + k);
  return [...own, ...Object.entries(value).flatMap(([k, v]) => ignoredFields(v, `${path}${k}.`))];
}
