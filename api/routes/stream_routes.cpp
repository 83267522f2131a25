// GET /api/automations/runs/{run_id}/stream — a run's output as server-sent events: the
// output so far, then each chunk as the tool produces it, then `event: end` with the
// status. Event ids are byte offsets into the output, so a client reconnecting with
// Last-Event-ID: N gets exactly the bytes after N. docs/webhooks-and-streams.md.
#include <thread>

#include "api/http/sse.hpp"
#include "api/routes/api_context.hpp"
#include "api/routes/route_helpers.hpp"

namespace steward::api {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxEventBytes = 64 * 1024;
constexpr auto kKeepAlive = std::chrono::seconds(15);
constexpr auto kPoll = std::chrono::milliseconds(500);

std::uint64_t resume_offset(const Request& req) {
  std::string text;
  if (auto h = req.header("last-event-id")) text = *h;
  else text = req.query_or("last_event_id", "");
  if (text.empty()) return 0;
  try {
    std::size_t used = 0;
    unsigned long long v = std::stoull(text, &used);
    if (used == text.size() && text[0] != '-') return v;
  } catch (const std::exception&) {
  }
  throw ApiError(400, "invalid_field", "Last-Event-ID: must be a byte offset (a non-negative integer) from this stream",
                 "Last-Event-ID");
}

json end_data(const RunRecord& run) {
  json j = {{"run_id", run.id}, {"status", run.status}};
  if (!run.reason.empty()) j["reason"] = run.reason;
  if (run.exit_code) j["exit_code"] = *run.exit_code;
  return j;
}

// A run no longer in the engine: what the store kept, from `offset`, then the end.
void stream_stored(std::ostream& out, const RunRecord& run, std::uint64_t offset) {
  while (offset < run.output.size()) {
    std::size_t n = std::min<std::size_t>(run.output.size() - offset, kMaxEventBytes);
    if (!sse::event(out, std::string_view(run.output).substr(offset, n), {}, std::to_string(offset + n))) return;
    offset += n;
  }
  sse::event(out, end_data(run).dump(), "end");
}

// Follows a live stream until the run ends, the reader falls too far behind, or the
// client leaves. Returns false when the caller should stop (done or gone).
bool follow(std::ostream& out, OutputStream& stream, std::uint64_t& offset, ApiContext& ctx, const std::string& run_id) {
  auto last_write = std::chrono::steady_clock::now();
  while (true) {
    auto r = stream.read(offset, kMaxEventBytes, std::chrono::seconds(1));
    using Kind = OutputStream::Read::Kind;
    if (r.kind == Kind::Data) {
      if (!sse::event(out, r.data, {}, std::to_string(r.next))) return false;
      offset = r.next;
      last_write = std::chrono::steady_clock::now();
    } else if (r.kind == Kind::Ended) {
      auto run = current_run(ctx, run_id);
      json end = run ? end_data(*run) : json{{"run_id", run_id}, {"status", r.status}};
      end["status"] = r.status;
      if (!r.reason.empty()) end["reason"] = r.reason;
      sse::event(out, end.dump(), "end");
      return false;
    } else if (r.kind == Kind::Behind) {
      json why = {{"run_id", run_id},
                  {"reason", "this reader fell more than the stream window behind the run and was dropped; "
                             "reconnect to continue from the oldest byte still kept, or read the run's output"},
                  {"oldest_offset", r.next}};
      sse::event(out, why.dump(), "dropped");
      return false;
    } else if (std::chrono::steady_clock::now() - last_write >= kKeepAlive) {
      if (!sse::keepalive(out)) return false;
      last_write = std::chrono::steady_clock::now();
    }
  }
}

void stream_run(std::ostream& out, ApiContext& ctx, const std::string& run_id, std::uint64_t offset) {
  auto last_write = std::chrono::steady_clock::now();
  while (true) {
    if (auto live = ctx.engine.stream(run_id)) {
      follow(out, *live, offset, ctx, run_id);
      return;
    }
    auto run = ctx.runs.get(run_id);
    if (!run) return;  // deleted meanwhile
    if (run_status::is_final(run->status)) {
      stream_stored(out, *run, offset);
      return;
    }
    // Not in the engine and not over: waiting for approval, or between the store and the
    // engine for an instant. Look again shortly; stop with the daemon.
    if (!ctx.engine.accepting()) return;
    if (std::chrono::steady_clock::now() - last_write >= kKeepAlive) {
      if (!sse::keepalive(out)) return;
      last_write = std::chrono::steady_clock::now();
    }
    std::this_thread::sleep_for(kPoll);
  }
}

}  // namespace

void add_stream_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/automations/runs/{run_id}/stream", Access::needs(Permission::History).with_query_token(),
             [&ctx](Request& req) {
    std::string id = req.params["run_id"];
    if (!current_run(ctx, id)) throw ApiError(404, "not_found", "no run '" + id + "'");
    std::uint64_t offset = resume_offset(req);
    Response r;
    r.content_type = "text/event-stream";
    r.headers.emplace_back("Cache-Control", "no-cache");
    r.headers.emplace_back("X-Accel-Buffering", "no");  // nginx: do not buffer the stream
    r.stream = [&ctx, id, offset](std::ostream& out) {
      out << "retry: 2000\n\n";
      out.flush();
      stream_run(out, ctx, id, offset);
    };
    return r;
  });
}

}  // namespace steward::api
