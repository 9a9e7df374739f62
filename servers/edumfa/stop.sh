#!/usr/bin/env bash
# Stop the eduMFA server that setup.sh started (by the PID in $EDUMFA_HOME/edumfa.pid only).
# Leaves the virtualenv, databases and secrets in place, so the next setup.sh only restarts it.
set -euo pipefail
repo_root="$(cd "$(dirname "$0")/../.." && pwd)"
EDUMFA_HOME="${EDUMFA_HOME:-$repo_root/target/edumfa}"
LIFECYCLE_NAME="edumfa stop"
# shellcheck source=../lifecycle.sh
. "$repo_root/servers/lifecycle.sh"
lifecycle_stop "$EDUMFA_HOME/edumfa.pid"
