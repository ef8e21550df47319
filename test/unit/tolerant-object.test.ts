import { z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { ignoredFields, tolerantObject } from '../../src/http/schemas/tolerant-object.ts';

// Open's request bodies: unknown fields are dropped (not a 400) and named for the debug log; known ones validate.

const Body = tolerantObject({
  status: z.enum(['open', 'closed']).optional(),
  message: tolerantObject({ text: z.string() }).optional(),
  items: z.array(tolerantObject({ n: z.number() })).optional(),
});

describe('tolerantObject', () => {
  it('drops unknown fields at every depth and names them', () => {
    const parsed = Body.parse({ status: 'open', future: 1, message: { text: 'hi', format: 'md' }, items: [{ n: 1 }, { n: 2, x: 0 }] });
    expect(parsed).toEqual({ status: 'open', message: { text: 'hi' }, items: [{ n: 1 }, { n: 2 }] });
    expect(Object.keys(parsed)).toEqual(['status', 'message', 'items']);
    expect(ignoredFields(parsed)).toEqual(['future', 'message.format', 'items.1.x']);
  });

  it('still refuses a known field of the wrong type', () => {
    const result = Body.safeParse({ status: 'gone', message: { text: 3 } });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['message.text', 'status']);
  });

  it('names nothing when nothing was dropped', () => {
    expect(ignoredFields(Body.parse({ status: 'closed' }))).toEqual([]);
  });
});
