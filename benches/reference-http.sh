#!/bin/sh
# Requests per second of the reference server over loopback, measured with wrk (Debian: apt-get
# install -y wrk). Usage: benches/reference-http.sh [PORT]. Builds the release binary first.
set -eu
PORT=${1:-18080}
BASE=http://127.0.0.1:$PORT
cargo build --release --quiet --bin mfa-harness
target/release/mfa-harness serve --addr 127.0.0.1:$PORT --test-clock &
SERVER=$!
trap 'kill $SERVER' EXIT
sleep 1
curl -sf -H 'content-type: application/json' -d '{"name":"bench","password":"pw","role":"root"}' $BASE/v1/admin/users >/dev/null
SESSION=$(curl -sf -H 'content-type: application/json' -d '{"user":"bench","password":"pw"}' $BASE/v1/login |
  sed 's/.*"session":"\([0-9]*\)".*/\1/')
export SESSION
wrk -t2 -c32 -d10s -s benches/reference-wrk.lua $BASE/v1/operations
