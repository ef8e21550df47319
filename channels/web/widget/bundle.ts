import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

// The web chat widget as the one script pages load (docs/web-chat.md): src/main.js and its modules bundled by
// esbuild into a minified IIFE with ES2019 syntax, for browsers a few years old too. `npm run build` writes it
// beside the compiled server (dist/channels/web/widget/widget.js); run from the sources, where there is none, the
// server bundles it once, at the first request (channels/web/server/widget-script.ts), so it is never stale.

export const WIDGET_ENTRY = fileURLToPath(new URL('./src/main.js', import.meta.url));
/** The prebuilt script beside this file: written by `npm run build` in dist/, absent in the source tree. */
export const WIDGET_PREBUILT = fileURLToPath(new URL('./widget.js', import.meta.url));

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
