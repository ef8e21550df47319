import { z } from 'zod';

// PostgreSQL's jsonb cannot hold U+0000: refused here, at the boundary, rather than failing the insert.
const noNul = (s: string) => !s.includes('\u0000');

/** custom_data is flat: string, number or boolean values only (a nested object is a 400). */
export const customDataSchema = z.record(
  z.string().min(1).max(200).refine(noNul, 'Keys must not contain NUL characters'),
  z.union([z.string().max(10_000).refine(noNul, 'Must not contain NUL characters'), z.number().finite(), z.boolean()]),
);
export type CustomData = z.infer<typeof customDataSchema>;

/** Writes merge key by key. */
export function mergeCustomData(base: CustomData | null | undefined, patch: CustomData | undefined): CustomData {
  return patch ? { ...(base ?? {}), ...patch } : { ...(base ?? {}) };
}
