#!/usr/bin/env bash
# `npm start`: build dist/ when it is missing or older than any source file, then become the server (exec), so the
# pid that npm, Docker or systemd signals is node itself: SIGTERM drains and exits with nothing left behind.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system.sh redis
stamp=dist/.build-stamp
if [[ ! -f $stamp ]] || [[ -n $(find src channels workers migrations package.json package-lock.json tsconfig.json tsconfig.build.json -newer "$stamp" -print -quit) ]]; then
  echo "start: building dist/ (the sources changed since the last build)" >&2
  node scripts/build.mjs >&2
fi
export EXIT_WITH_PARENT=${EXIT_WITH_PARENT:-on}
exec node --enable-source-maps dist/src/main.js "$@"
