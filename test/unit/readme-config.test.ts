import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENV_VARIABLES } from '../../src/config.ts';

// The README's configuration table and .env.example name exactly the variables src/config.ts reads, so neither
// can fall behind the schema (nor name a variable nothing reads).

const root = resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(resolve(root, file), 'utf8');

/** Variables in the first cell of each row of the README's "## Configuration" table (a row may name two). */
function readmeVariables(): string[] {
  const readme = read('README.md');
  const start = readme.indexOf('\n## Configuration\n');
  expect(start, 'README.md has a "## Configuration" section').toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  const names: string[] = [];
  for (const line of section.split('\n')) {
    const firstCell = /^\|([^|]*)\|/.exec(line)?.[1];
    if (firstCell === undefined) continue;
    for (const [, name] of firstCell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) names.push(name!);
  }
  return names;
}

const sorted = (names: Iterable<string>) => [...names].sort();

describe('configuration documentation', () => {
  it('the schema knows variables at all', () => {
    expect(ENV_VARIABLES.length).toBeGreaterThan(10);
  });

  it("the README's configuration table names every variable the schema reads, each once, and no other", () => {
    const names = readmeVariables();
    expect(sorted(names)).toEqual(sorted(new Set(names)));
    expect(ENV_VARIABLES.filter((v) => !names.includes(v)), 'missing from the README table').toEqual([]);
    expect(names.filter((v) => !ENV_VARIABLES.includes(v)), 'in the README table, not in src/config.ts').toEqual([]);
  });

  it('.env.example names exactly the same variables, each once, with every line commented out', () => {
    const lines = read('.env.example').split('\n');
    expect(lines.filter((l) => l.trim() !== '' && !l.startsWith('#')), 'uncommented lines').toEqual([]);
    const names = lines.flatMap((l) => /^# ?([A-Z][A-Z0-9_]*)=/.exec(l)?.[1] ?? []);
    expect(sorted(names)).toEqual(sorted(new Set(names)));
    expect(sorted(names)).toEqual(sorted(ENV_VARIABLES));
  });
});
