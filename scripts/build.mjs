// `npm run build`: compile the server to dist/ and put beside it what it reads at run time, then stamp the build so
// `npm start` (scripts/start.sh) knows whether it is stale. Plain Node: it runs before anything is built.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist');
// typescript's exports map hides bin/: find the package root through its package.json.
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
// Read by path at run time, relative to the compiled files (the same layout as the source tree).
const assets = ['package.json', 'migrations', 'src/console/assets', 'channels/web/widget/demo.html', 'channels/web/widget/src'];
for (const path of assets) {
  mkdirSync(dirname(join(dist, path)), { recursive: true });
  cpSync(join(root, path), join(dist, path), { recursive: true });
}
// The web chat widget, bundled once here rather than at the server's first request (channels/web/widget/bundle.ts).
const { bundleWidget, WIDGET_PREBUILT } = await import(join(dist, 'channels/web/widget/bundle.js'));
writeFileSync(WIDGET_PREBUILT, await bundleWidget());
// A migrated empty database for first starts (src/db/client.ts PGLITE_SEED), made by the code just compiled.
const { openDatabase } = await import(join(dist, 'src/db/client.js'));
const seedDir = mkdtempSync(join(tmpdir(), 'switchboard-seed-'));
try {
  const database = await openDatabase({ pgliteDir: join(seedDir, 'pglite') });
  await database.migrate();
  const dump = await database.dump();
  await database.close();
  writeFileSync(join(dist, 'pglite-seed.tar.gz'), Buffer.from(await dump.arrayBuffer()));
} finally {
  rmSync(seedDir, { recursive: true, force: true });
}
writeFileSync(join(dist, '.build-stamp'), `${new Date().toISOString()}\n`);
process.stdout.write('build: dist/ is ready (node dist/src/main.js)\n');
