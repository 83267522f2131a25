-- wrk script for bench/webhook_peer.sh: every request is a POST with an empty body
-- (Content-Length: 0, the same request shape the Python client sends) and, when BENCH_AUTH
-- is set, an Authorization header. No response() callback, so wrk stays at full speed.
-- done() prints one machine-readable line, "WRK_JSON {...}", after wrk's own summary.

wrk.method = "POST"
wrk.body = ""
local auth = os.getenv("BENCH_AUTH")
if auth ~= nil and auth ~= "" then
  wrk.headers["Authorization"] = auth
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"mean": %.1f, "p50": %.1f, "p90": %.1f, "p99": %.1f, "max": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
