#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 on 127.0.0.1:PORT with its data and socket in DIR; prints its URL.
# Usage: bash scripts/start-postgres.sh DIR PORT      (stop it with: bash scripts/stop-postgres.sh DIR)
# initdb and postgres refuse to run as root: as root they run as the `postgres` user through runuser.
set -euo pipefail

if [[ $# -ne 2 ]]; then echo "usage: $0 DIR PORT" >&2; exit 2; fi
dir=$1
port=$2
bin=/usr/lib/postgresql/15/bin
if [[ ! -x $bin/postgres ]]; then
  echo "start-postgres: PostgreSQL 15 is not installed: run 'bash scripts/ensure-system.sh postgres'" >&2
  exit 1
fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
  chown postgres: "$dir"
  chmod 700 "$dir"
  as_pg=(runuser -u postgres --)
fi

if ! "${as_pg[@]}" test -w "$dir" -a -x "$dir"; then
  echo "start-postgres: the postgres user cannot reach $dir: make its parent folders world-searchable (chmod o+x)" >&2
  exit 1
fi

if [[ -z $(ls -A "$dir") ]]; then
  if ! out=$("${as_pg[@]}" "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 2>&1); then
    echo "$out" >&2
    exit 1
  fi
fi

# fsync off: a test server, thrown away after the run.
if ! "${as_pg[@]}" "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 30 \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null; then
  echo "start-postgres: PostgreSQL did not start on port $port; last lines of $dir/server.log:" >&2
  tail -n 20 "$dir/server.log" >&2 || true
  exit 1
fi

"${as_pg[@]}" "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -t 10
echo "postgres://postgres@127.0.0.1:$port/postgres"
