import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { bundleWidget, WIDGET_DIST } from '../channels/web/widget/bundle.ts';

// `npm run build:widget`: bundles the web chat widget into dist/widget.js, which the server then serves as it is
// instead of bundling at its first request (channels/web/server/widget-script.ts). Run it again after changing
// channels/web/widget/src: a stale dist/widget.js wins over the sources.

const script = await bundleWidget();
mkdirSync(dirname(WIDGET_DIST), { recursive: true });
writeFileSync(WIDGET_DIST, script);
console.log(`${relative(process.cwd(), WIDGET_DIST)}: ${script.length} bytes`);
