#!/usr/bin/env bash
# Stop the privacyIDEA server that setup.sh started (by the PID in $PI_HOME/pi.pid only).
# Leaves the virtualenv, database and secrets in place, so the next setup.sh only restarts it.
set -euo pipefail
repo_root="$(cd "$(dirname "$0")/../.." && pwd)"
PI_HOME="${PI_HOME:-$repo_root/target/privacyidea}"
pid_file="$PI_HOME/pi.pid"
[ -s "$pid_file" ] || { echo "privacyidea stop: not running (no $pid_file)" >&2; exit 0; }
pid="$(cat "$pid_file")"
if kill -0 "$pid" 2>/dev/null; then
  kill "$pid"
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
  echo "privacyidea stop: stopped pid $pid" >&2
else
  echo "privacyidea stop: pid $pid was not running" >&2
fi
rm -f "$pid_file"
