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

# lifecycle_start PID_FILE LOG URL PROBE_URL TIMEOUT COMMAND...: starts COMMAND in the
# background (output to LOG, PID to PID_FILE) unless the PID in PID_FILE still runs, then waits
# until PROBE_URL answers with any HTTP status. Fails when something else already answers on URL,
# when the server exits, or after TIMEOUT seconds.
lifecycle_start() {
  local pid_file=$1 log=$2 url=$3 probe=$4 timeout=$5
  shift 5
  if lifecycle_running "$pid_file"; then
    return 0
  fi
  if lifecycle_answers "$probe"; then
    lifecycle_say "something else already answers on $url; choose another port"
    return 1
  fi
  lifecycle_say "starting on $url"
  local started=$SECONDS
  nohup "$@" >>"$log" 2>&1 </dev/null &
  echo $! >"$pid_file"
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
