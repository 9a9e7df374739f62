#!/usr/bin/env bash
# Stop the privacyIDEA server that setup.sh started (by the PID in $PI_HOME/pi.pid only).
# Leaves the virtualenv, database and secrets in place, so the next setup.sh only restarts it.
set -euo pipefail
repo_root="$(cd "$(dirname "$0")/../.." && pwd)"
PI_HOME="${PI_HOME:-$repo_root/target/privacyidea}"
LIFECYCLE_NAME="privacyidea stop"
# shellcheck source=../lifecycle.sh
. "$repo_root/servers/lifecycle.sh"
lifecycle_stop "$PI_HOME/pi.pid"
