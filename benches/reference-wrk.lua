-- wrk load for the target protocol: a mix of sign-ins, binding starts and answers.
--
-- Each wrk thread keeps the ids its answers carry: a sign-in's session starts a virtual
-- binding (POST /v1/bindings, answered with an identity check), the check's challenge is
-- answered with the password (POST /v1/challenges/answer, answered with an open binding and
-- its QR code), and with nothing to follow up the next request signs in again. So the mix is
-- about one third each, and every request is one the service must do real work for.
--
-- Every response must be a 2xx whose verdict is one the mix expects. The others are counted,
-- and done() prints them with the first one's status and body and exits 1: a figure measured
-- on errors (as before: every request here was a 422) can no longer pass for a result.
--
-- Environment: BENCH_USERS (accounts bench0 .. benchN-1, created beforehand with password
-- BENCH_PASSWORD; defaults 1 and "pw").
--
--   wrk -t2 -c32 -d10s --latency -s benches/reference-wrk.lua http://127.0.0.1:8080
-- (benches/reference-http.sh starts a server, creates the accounts and runs this.)

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  users = tonumber(os.getenv("BENCH_USERS") or "1")
  password = os.getenv("BENCH_PASSWORD") or "pw"
  headers = { ["Content-Type"] = "application/json" }
  sessions, challenges = {}, {}
  sent = 0
  logins, bindings, answers = 0, 0, 0
  non_2xx, unexpected = 0, 0
  first_bad = nil
end

function request()
  sent = sent + 1
  if #challenges > 0 then
    answers = answers + 1
    local body = string.format('{"challenge":"%s","method":"password","code":"%s"}',
      table.remove(challenges), password)
    return wrk.format("POST", "/v1/challenges/answer", headers, body)
  elseif #sessions > 0 then
    bindings = bindings + 1
    local body = string.format('{"session":"%s","kind":"virtual"}', table.remove(sessions))
    return wrk.format("POST", "/v1/bindings", headers, body)
  end
  logins = logins + 1
  local body = string.format('{"user":"bench%d","password":"%s"}', sent % users, password)
  return wrk.format("POST", "/v1/login", headers, body)
end

local function remember(what, status, body)
  if first_bad == nil then
    first_bad = string.format("%s: %d %s", what, status, string.sub(body, 1, 200))
  end
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non_2xx = non_2xx + 1
    remember("non-2xx", status, body)
    return
  end
  local session = string.match(body, '^{"verdict":"accepted","session":"(%d+)"')
  local challenge = string.match(body, '^{"verdict":"challenge_required","challenge":"(%d+)"')
  if session then
    table.insert(sessions, session)
  elseif challenge then
    table.insert(challenges, challenge)
  elseif not string.match(body, '^{"verdict":"binding_open"') then
    unexpected = unexpected + 1
    remember("unexpected verdict", status, body)
  end
end

function done(summary, latency, requests)
  local totals = { logins = 0, bindings = 0, answers = 0, non_2xx = 0, unexpected = 0 }
  local first = nil
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + (thread:get(name) or 0)
    end
    first = first or thread:get("first_bad")
  end
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format("mix sent: %d sign-ins, %d binding starts, %d answers\n",
    totals.logins, totals.bindings, totals.answers))
  io.write(string.format("responses: %d in %.1f s, %.0f requests/s\n",
    summary.requests, seconds, summary.requests / seconds))
  io.write(string.format("latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("non-2xx responses: %d, unexpected verdicts: %d, socket errors: %d " ..
    "(connect %d, read %d, write %d, timeout %d)\n", totals.non_2xx, totals.unexpected,
    socket_errors, e.connect, e.read, e.write, e.timeout))
  if totals.non_2xx > 0 or totals.unexpected > 0 or socket_errors > 0 or summary.requests == 0 then
    io.stderr:write("FAIL: the measurement includes errors; first: " .. (first or "none") .. "\n")
    os.exit(1)
  end
end
