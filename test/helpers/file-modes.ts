import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

// Which files and folders under a directory other users of the machine could read, write or enter.

/** `dir` and everything under it with any group or other permission bit, as "0644 path" (symlinks skipped). */
export function openToOthers(dir: string): string[] {
  const found: string[] = [];
  const visit = (path: string) => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    if (stat.mode & 0o077) found.push(`0${(stat.mode & 0o777).toString(8)} ${path}`);
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(dir);
  return found;
}
