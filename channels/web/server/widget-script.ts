import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { bundleWidget, WIDGET_PREBUILT } from '../widget/bundle.ts';

// The widget's script for GET /widget/{public_id}/widget.js (docs/web-chat.md): the one `npm run build` put beside
// the compiled code if there is one, else bundled from channels/web/widget/src once, at the first request.
// Kept in memory as it is and gzipped (about a third of the size) for browsers that take it.

export interface WidgetScript {
  plain: Uint8Array;
  gzip: Uint8Array;
}

/** One load per loader, shared by concurrent first requests; a failed one is tried again at the next request. */
export function widgetScriptLoader(prebuilt: string = WIDGET_PREBUILT): () => Promise<WidgetScript> {
  let loading: Promise<WidgetScript> | undefined;
  return () =>
    (loading ??= load(prebuilt).catch((err: unknown) => {
      loading = undefined;
      throw err;
    }));
}

async function load(prebuilt: string): Promise<WidgetScript> {
  const plain = await readFile(prebuilt).then(
    (bytes) => new Uint8Array(bytes),
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return bundleWidget();
      throw err;
    },
  );
  return { plain, gzip: new Uint8Array(gzipSync(plain, { level: 9 })) };
}
