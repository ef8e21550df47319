import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Deps } from '../../src/deps.ts';

// What is on disk in a test app's blob store (src/deps.ts puts it in DATA_DIR/blobs): to check that a refused
// request wrote nothing, and what a sweep removed.

export const blobRoot = (deps: Pick<Deps, 'config'>): string => join(deps.config.dataDir, 'blobs');

/** Every file below the blob root (temporary ones too), as paths relative to it. */
export function blobFiles(deps: Pick<Deps, 'config'>): string[] {
  const root = blobRoot(deps);
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1));
}
