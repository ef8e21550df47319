import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { gunzipSync } from 'node:zlib';
import { afterAll, expect, it } from 'vitest';
import { bundleWidget } from '../../../channels/web/widget/bundle.ts';
import { widgetScriptLoader } from '../../../channels/web/server/widget-script.ts';

// The widget's one script: esbuild's bundle of channels/web/widget/src is a classic script (no import/export, so a
// plain <script> tag runs it), and the server serves a prebuilt bundle (npm run build puts one beside the compiled code) when there is one, else that bundle.

const dir = mkdtempSync(join(tmpdir(), 'sb-widget-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('bundles the modules into one minified classic script', async () => {
  const script = Buffer.from(await bundleWidget()).toString('utf8');
  expect(() => new Script(script)).not.toThrow();
  expect(script).not.toMatch(/^\s*(import|export)\b/m);
  expect(script).toContain('Open chat');
  expect(script).toContain('/ws');
  // Minified: the sources' comments, JSDoc and long names are gone (the CSS string stays as it is).
  const src = new URL('../../../channels/web/widget/src/', import.meta.url);
  const sources = readdirSync(src).reduce((n, f) => n + readFileSync(new URL(f, src)).length, 0);
  expect(script.length).toBeLessThan(sources * 0.7);
});

it('serves a prebuilt file as it is, and bundles once when there is none', async () => {
  const prebuilt = join(dir, 'widget.js');
  writeFileSync(prebuilt, '/* prebuilt */');
  const fromFile = await widgetScriptLoader(prebuilt)();
  expect(Buffer.from(fromFile.plain).toString()).toBe('/* prebuilt */');
  expect(gunzipSync(fromFile.gzip).toString()).toBe('/* prebuilt */');

  const load = widgetScriptLoader(join(dir, 'missing.js'));
  const [first, again] = await Promise.all([load(), load()]);
  expect(again).toBe(first);
  expect(await load()).toBe(first);
  expect(Buffer.from(first.plain).equals(Buffer.from(await bundleWidget()))).toBe(true);
  expect(gunzipSync(first.gzip).equals(Buffer.from(first.plain))).toBe(true);
});
