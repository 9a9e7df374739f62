# Shared by the servers' setup.sh and stop.sh (sourced, not run): install a pinned release into a
# virtualenv, keep secrets in files, start a server in the background and wait for its answer,
# stop it by its PID file. Every function reports on stderr with the caller's prefix, so a
# setup.sh can keep its stdout for the one line it prints (the base URL).
#
# Before sourcing, the caller sets:
#   LIFECYCLE_NAME   the prefix of progress lines (e.g. "edumfa setup")

lifecycle_say() { printf '%s: %s\n' "$LIFECYCLE_NAME" "$*" >&2; }

# lifecycle_install VENV PYTHON DIST VERSION [PIP_SPEC]: a virtualenv at VENV with DIST==VERSION
# (PIP_SPEC, default DIST==VERSION), created with PYTHON; skipped when that version is there.
lifecycle_install() {
  local venv=$1 python=$2 dist=$3 version=$4 spec=${5:-$3==$4}
  if "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('$dist') != '$version')" 2>/dev/null; then
    return 0
  fi
  lifecycle_say "installing $dist $version into $venv"
  local started=$SECONDS
  "$python" -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "$spec"
  lifecycle_say "installed in $((SECONDS - started)) s"
}

# lifecycle_secret FILE BYTES: a random URL-safe secret in FILE, made once and never echoed. The
# caller's umask (077) makes it mode 600.
lifecycle_secret() {
  [ -s "$1" ] || python3 -c "import secrets; print(secrets.token_urlsafe($2))" >"$1"
}

# lifecycle_password FILE VALUE: VALUE into FILE when given (an operator's choice), else the
# password FILE already holds, else a new random one.
lifecycle_password() {
  if [ -n "$2" ]; then
    printf '%s\n' "$2" >"$1"
  else
    lifecycle_secret "$1" 24
  fi
}

# lifecycle_clock FAKETIME_FILE LIBFAKETIME VARIABLE: chooses the clock lifecycle_start starts
# the server on. FAKETIME_FILE empty: its real clock. Otherwise libfaketime (LIBFAKETIME, default
# the Debian faketime package's) takes the server's clock from that file, which the harness
# writes an offset from the real clock into ("-59234567.250000") before each operation;
# libfaketime reads it on every clock call (FAKETIME_NO_CACHE). Monotonic clocks follow too
# (libfaketime 0.9.10 miscomputes absolute sleeps when they do not). The file must hold a valid
# time before the server starts ("+0": the real clock): libfaketime ends a process that reads one
# it cannot parse. VARIABLE names the setting in the error when the library is missing.
lifecycle_clock() {
  local file=$1 lib=$2 variable=$3
  lifecycle_clock_name="${file:+faketime $file}"
  lifecycle_clock_name="${lifecycle_clock_name:-real}"
  # UTC whatever the host's zone: the servers write local times into their audit logs, which
  # the profiles read as the record of a user's tokens.
  lifecycle_launcher=(env TZ=UTC)
  [ -n "$file" ] || return 0
  if [ -z "$lib" ]; then
    lib="$(ls /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 2>/dev/null | head -n 1 || true)"
  fi
  if [ -z "$lib" ] || [ ! -e "$lib" ]; then
    lifecycle_say "$variable is set but libfaketime.so.1 is not installed (apt-get install -y faketime)"
    return 1
  fi
  mkdir -p "$(dirname "$file")"
  lifecycle_clock_file=$file
  lifecycle_launcher=(env TZ=UTC LD_PRELOAD="$lib" FAKETIME_TIMESTAMP_FILE="$file" FAKETIME_NO_CACHE=1)
}
lifecycle_clock_name=real
lifecycle_clock_file=
lifecycle_launcher=(env TZ=UTC)

# lifecycle_start PID_FILE LOG URL PROBE_URL TIMEOUT COMMAND...: starts COMMAND in the
# background on the clock lifecycle_clock chose (output to LOG, PID to PID_FILE, the clock's name
# to PID_FILE with .clock for .pid) unless the PID in PID_FILE still runs on that clock (one
# running on the other clock is stopped first), then waits until PROBE_URL answers with any HTTP
# status. Fails when something else already answers on URL, when the server exits, or after
# TIMEOUT seconds.
lifecycle_start() {
  local pid_file=$1 log=$2 url=$3 probe=$4 timeout=$5
  shift 5
  local clock_file="${pid_file%.pid}.clock"
  if lifecycle_running "$pid_file"; then
    if [ "$(cat "$clock_file" 2>/dev/null)" = "$lifecycle_clock_name" ]; then
      return 0
    fi
    lifecycle_say "restarting: running on another clock than \"$lifecycle_clock_name\""
    lifecycle_stop "$pid_file"
  fi
  if lifecycle_answers "$probe"; then
    lifecycle_say "something else already answers on $url; choose another port"
    return 1
  fi
  lifecycle_say "starting on $url, $lifecycle_clock_name clock"
  # A fresh server starts on the real clock ("+0"): a time a previous run left in the file may
  # be one CPython cannot represent (past 2262), which ends the server before it answers.
  [ -z "$lifecycle_clock_file" ] || printf '+0' >"$lifecycle_clock_file"
  local started=$SECONDS
  nohup "${lifecycle_launcher[@]}" "$@" >>"$log" 2>&1 </dev/null &
  echo $! >"$pid_file"
  echo "$lifecycle_clock_name" >"$clock_file"
  until lifecycle_answers "$probe"; do
    if ! lifecycle_running "$pid_file"; then
      lifecycle_say "server exited; last lines of $log:"
      tail -n 20 "$log" >&2
      return 1
    fi
    if (( SECONDS - started >= timeout )); then
      lifecycle_say "no answer from $url within $timeout s"
      return 1
    fi
    sleep 0.5
  done
  lifecycle_say "answering after $((SECONDS - started)) s"
}

# lifecycle_stop PID_FILE: stops the process named in PID_FILE (TERM, then KILL after 5 s) and
# removes the file; nothing else is touched.
lifecycle_stop() {
  local pid_file=$1
  [ -s "$pid_file" ] || { lifecycle_say "not running (no $pid_file)"; return 0; }
  local pid
  pid="$(cat "$pid_file")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
    lifecycle_say "stopped pid $pid"
  else
    lifecycle_say "pid $pid was not running"
  fi
  rm -f "$pid_file"
}

lifecycle_running() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Any HTTP answer counts (a 404 or 401 still proves the server is up); a refused connection or a
# timeout does not.
lifecycle_answers() {
  python3 - "$1" <<'PY'
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=2)
except urllib.error.HTTPError:
    pass
except Exception:
    sys.exit(1)
PY
}
