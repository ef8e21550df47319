import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

// The web chat widget as the one script pages load (docs/web-chat.md): src/main.js and its modules bundled by
// esbuild into a minified IIFE with ES2019 syntax, for browsers a few years old too. `npm run build:widget` writes
// it to dist/widget.js; without that file the server bundles it once, at the first request
// (channels/web/server/widget-script.ts).

export const WIDGET_ENTRY = fileURLToPath(new URL('./src/main.js', import.meta.url));
/** Where `npm run build:widget` puts the prebuilt script (the repository's dist/, git-ignored). */
export const WIDGET_DIST = fileURLToPath(new URL('../../../dist/widget.js', import.meta.url));

export async function bundleWidget(): Promise<Uint8Array> {
  const result = await build({
    entryPoints: [WIDGET_ENTRY],
    bundle: true,
    format: 'iife',
    minify: true,
    target: 'es2019',
    charset: 'utf8',
    legalComments: 'none',
    banner: { js: '/* Switchboard web chat widget, docs/web-chat.md */' },
    write: false,
    logLevel: 'silent',
  });
  const script = result.outputFiles[0];
  if (!script) throw new Error('esbuild gave no output for the widget');
  return script.contents;
}
