#!/bin/sh
# Throughput, latency and memory of `serve` over loopback, measured with wrk (Debian: apt-get
# install -y wrk) on the mixed load of benches/reference-wrk.lua (sign-ins, binding starts,
# answers). Fails if any response is an error or an unexpected verdict.
#
# Usage: benches/reference-http.sh [PORT] [DURATION]       (defaults 18080, 10s)
# Environment:
#   MFA_HARNESS  the binary (default: build the release binary and use it)
#   SERVE_ARGS   serve's flags (default --test-clock; "" for live mode with the standard hash)
#   BENCH_USERS  accounts to spread sign-ins over (default 4)
#   WRK_ARGS     wrk's threads, connections and timeout (default -t2 -c32 --timeout 10s)
set -eu
PORT=${1:-18080}
DURATION=${2:-10s}
BASE=http://127.0.0.1:$PORT
if [ -z "${MFA_HARNESS:-}" ]; then
  cargo build --release --quiet --bin mfa-harness
  MFA_HARNESS=target/release/mfa-harness
fi
TOKEN_FILE=$(mktemp)
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TOKEN_FILE"
# shellcheck disable=SC2086 # SERVE_ARGS is a list of flags
"$MFA_HARNESS" serve --addr "127.0.0.1:$PORT" --admin-token-file "$TOKEN_FILE" ${SERVE_ARGS---test-clock} &
SERVER=$!
trap 'kill $SERVER; rm -f "$TOKEN_FILE"' EXIT
for _ in $(seq 100); do
  curl -sf "$BASE/v1/info" >/dev/null && break
  sleep 0.1
done
AUTH="Authorization: Bearer $(cat "$TOKEN_FILE")"
USERS=${BENCH_USERS:-4}
i=0
while [ "$i" -lt "$USERS" ]; do
  curl -sf -H "$AUTH" -H 'content-type: application/json' \
    -d "{\"name\":\"bench$i\",\"password\":\"pw\",\"role\":\"root\"}" "$BASE/v1/admin/users" >/dev/null
  i=$((i + 1))
done
rss() { awk '/VmRSS/ {printf "%.1f MB\n", $2 / 1024}' "/proc/$SERVER/status"; }
echo "server resident memory before: $(rss)"
# shellcheck disable=SC2086 # WRK_ARGS is a list of flags
BENCH_USERS=$USERS wrk ${WRK_ARGS:--t2 -c32 --timeout 10s} -d"$DURATION" -s benches/reference-wrk.lua "$BASE"
echo "server resident memory after: $(rss)"
