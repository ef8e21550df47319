#!/usr/bin/env bash
# Makes sure the system binaries Switchboard needs are present; installs the Debian packages when run as root.
# Usage: bash scripts/ensure-system.sh redis [postgres] [chromium] [dovecot]
# Quiet (and fast: only file tests) when everything is already there.
set -euo pipefail

missing_pkgs=()
for need in "$@"; do
  case "$need" in
    redis)    bin=/usr/bin/redis-server;              pkg=redis-server ;;
    postgres) bin=/usr/lib/postgresql/15/bin/postgres; pkg=postgresql-15 ;;
    chromium) bin=/usr/bin/chromium;                  pkg=chromium ;;
    # The IMAP tests run Debian's dovecot as a throwaway server of their own (test/helpers/dovecot.ts).
    dovecot)  bin=/usr/sbin/dovecot;                  pkg=dovecot-imapd ;;
    *) echo "ensure-system: unknown need '$need' (expected: redis, postgres, chromium, dovecot)" >&2; exit 2 ;;
  esac
  # redis-server may live elsewhere on PATH (e.g. a non-Debian machine): accept that too.
  if [[ -x "$bin" ]]; then continue; fi
  if [[ "$need" == redis ]] && command -v redis-server >/dev/null 2>&1; then continue; fi
  if [[ "$need" == dovecot ]] && command -v dovecot >/dev/null 2>&1 && command -v doveadm >/dev/null 2>&1; then continue; fi
  missing_pkgs+=("$pkg")
done

[[ ${#missing_pkgs[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "ensure-system: missing system packages; install them first: sudo apt-get install -y ${missing_pkgs[*]}" >&2
  exit 1
fi

echo "ensure-system: installing ${missing_pkgs[*]} ..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing_pkgs[@]}" >/dev/null
echo "ensure-system: installed ${missing_pkgs[*]}" >&2
