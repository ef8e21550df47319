import { z } from 'zod';

/** custom_data is flat: string, number or boolean values only (a nested object is a 400). */
export const customDataSchema = z.record(
  z.string().min(1).max(200),
  z.union([z.string().max(10_000), z.number().finite(), z.boolean()]),
);
export type CustomData = z.infer<typeof customDataSchema>;

/** Writes merge key by key. */
export function mergeCustomData(base: CustomData | null | undefined, patch: CustomData | undefined): CustomData {
  return patch ? { ...(base ?? {}), ...patch } : { ...(base ?? {}) };
}
