import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHANNEL_KIND_ALIASES, CHANNEL_KINDS } from '../../src/domain/model/enums.ts';

// Core asks, never names (docs/architecture.md): outside channels/, no source file imports a channel's files or
// compares a channel kind. The registry (channels/registry.ts) is wired in at the composition roots only; the kinds
// are listed once, as Open's enum (src/domain/model/enums.ts) and the database type built from it.

const ROOT = resolve(import.meta.dirname, '../..');
const CORE = ['src', 'workers'];
/** Where the registry is handed in: the process's deps, and the CLI's database (it creates organizations). */
const COMPOSITION_ROOTS = ['src/deps.ts', 'src/cli/database.ts'];
/** The kinds' one list, and the database enum made from it. */
const KIND_LISTS = ['src/domain/model/enums.ts'];
/** Words that are also kinds but mean something else where they stand. */
const HOMONYMS: { file: string; text: string; why: string }[] = [
  { file: 'src/config.ts', text: "role === 'api'", why: 'ROLE=api, the process role' },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    // Server code; the console's browser files (src/console/assets) say `type: 'email'` of HTML inputs.
    return /\.ts$/.test(e.name) ? [path] : [];
  });
}

/** The code without comments, so a comment may still say "email" or "the api channel". */
function code(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

const kinds = [...CHANNEL_KINDS, ...Object.keys(CHANNEL_KIND_ALIASES)].join('|');
/** A kind used as a value: compared, switched on, defaulted to, filtered by, or given as a channel's type. */
const KIND_USE = new RegExp(
  String.raw`(===|!==|==|!=|\?\?|\|\||case|eq\([^,()]*,|type:|kind:|channelType:)\s*['"\`](${kinds})['"\`]`,
);
const CHANNEL_IMPORT = /(?:from|import)\s*\(?\s*['"]([^'"]*\/channels\/[^'"]*)['"]/g;

const files = CORE.flatMap(sourceFiles);

describe('core never names a channel', () => {
  it('reads the whole core tree', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files).toContain('src/http/app.ts');
  });

  it.each(files.filter((f) => !KIND_LISTS.includes(f)))('%s compares no channel kind', (file) => {
    const homonyms = HOMONYMS.filter((h) => h.file === file).map((h) => h.text);
    const lines = code(file)
      .split('\n')
      .filter((line) => KIND_USE.test(line) && !homonyms.some((text) => line.includes(text)));
    expect(lines).toEqual([]);
  });

  it.each(files)('%s imports no channel folder', (file) => {
    const imports = [...code(file).matchAll(CHANNEL_IMPORT)].map((m) => relative(ROOT, resolve(ROOT, file, '..', m[1]!)));
    const allowed = COMPOSITION_ROOTS.includes(file) ? ['channels/registry.ts'] : [];
    expect(imports.filter((i) => i.startsWith('channels/') && !allowed.includes(i))).toEqual([]);
  });

  it('would catch a kind compared or a channel imported (the patterns are live)', () => {
    expect(KIND_USE.test(`if (row.type === 'email') return;`)).toBe(true);
    expect(KIND_USE.test(`eq(channels.type, 'web')`)).toBe(true);
    expect(KIND_USE.test(`const name = row.email;`)).toBe(false);
    expect([...`import { x } from '../../channels/email/send.ts';`.matchAll(CHANNEL_IMPORT)]).toHaveLength(1);
  });
});
