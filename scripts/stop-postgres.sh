#!/usr/bin/env bash
# Stops a PostgreSQL started by scripts/start-postgres.sh DIR PORT. Usage: bash scripts/stop-postgres.sh DIR
set -euo pipefail

if [[ $# -ne 1 ]]; then echo "usage: $0 DIR" >&2; exit 2; fi
dir=$1
[[ -f $dir/postmaster.pid ]] || exit 0 # not running
as_pg=()
[[ $(id -u) -eq 0 ]] && as_pg=(runuser -u postgres --)
"${as_pg[@]}" /usr/lib/postgresql/15/bin/pg_ctl -D "$dir" -m fast -w -t 30 stop >/dev/null
