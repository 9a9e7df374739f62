-- wrk script for the target protocol: POST a non-sensitive operation for one session, so the
-- figure is protocol + JSON + service lock overhead. SESSION comes from the environment.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"session": "' .. os.getenv("SESSION") .. '", "operation": "read_resource"}'
