// GET /api/automations/runs/{run_id}/stream — a run's output as server-sent events: the
// output so far, then each chunk as the tool produces it, then `event: end` with the
// status. Event ids are byte offsets into the output, so a client reconnecting with
// Last-Event-ID: N gets exactly the bytes after N. docs/webhooks-and-streams.md.
// A run executing on another daemon of a cluster is followed through the database
// (core/cluster/output_feed.hpp), with the same offsets.
#include <optional>
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
// Following a run on another daemon: its relay NOTIFYs every new chunk (about every
// 200 ms while output flows); the poll is only the fallback for a lost notification.
constexpr auto kRemotePoll = std::chrono::milliseconds(500);
// How long a run may be final in the store before its end row arrives (normally well under
// a second); longer means the executing daemon died and the store has the last word.
constexpr auto kEndRowWait = std::chrono::seconds(3);

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

void send_dropped(std::ostream& out, const std::string& run_id, std::uint64_t oldest) {
  json why = {{"run_id", run_id},
              {"reason", "this reader fell more than the stream window behind the run and was dropped; "
                         "reconnect to continue from the oldest byte still kept, or read the run's output"},
              {"oldest_offset", oldest}};
  sse::event(out, why.dump(), "dropped");
}

// The end event of a run whose stream ended with `status`/`reason` (those win over the
// store's, which may not have the end yet).
void send_end(std::ostream& out, ApiContext& ctx, const std::string& run_id, const std::string& status,
              const std::string& reason) {
  auto run = ctx.engine.snapshot(run_id);
  if (!run) run = ctx.runs.get(run_id);
  json end = run ? end_data(*run) : json{{"run_id", run_id}, {"status", status}};
  end["status"] = status;
  if (!reason.empty()) end["reason"] = reason;
  sse::event(out, end.dump(), "end");
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
      send_end(out, ctx, run_id, r.status, r.reason);
      return false;
    } else if (r.kind == Kind::Behind) {
      send_dropped(out, run_id, r.next);
      return false;
    } else if (std::chrono::steady_clock::now() - last_write >= kKeepAlive) {
      if (!sse::keepalive(out)) return false;
      last_write = std::chrono::steady_clock::now();
    }
  }
}

// A run another daemon executes: sends what its relay stored since `offset` (the same
// bytes at the same offsets as that daemon's own stream). True while the stream goes on;
// false when it is over (end, dropped) or the client left.
bool follow_chunks(std::ostream& out, cluster::OutputFeed& feed, std::uint64_t& offset, ApiContext& ctx,
                   const std::string& run_id, std::chrono::steady_clock::time_point& last_write) {
  while (true) {
    auto r = feed.read(run_id, offset, kMaxEventBytes);
    using Kind = cluster::OutputChunks::Read::Kind;
    if (r.kind == Kind::Data) {
      if (!sse::event(out, r.data, {}, std::to_string(r.next))) return false;
      offset = r.next;
      last_write = std::chrono::steady_clock::now();
    } else if (r.kind == Kind::Ended) {
      send_end(out, ctx, run_id, r.status, r.reason);
      return false;
    } else if (r.kind == Kind::Gap) {
      send_dropped(out, run_id, r.next);
      return false;
    } else {
      return true;
    }
  }
}

void stream_run(std::ostream& out, ApiContext& ctx, const std::string& run_id, std::uint64_t offset) {
  auto last_write = std::chrono::steady_clock::now();
  // Set once the run was seen active but not here: another daemon executes it and its
  // relay writes the output to the database (PostgreSQL only).
  std::optional<cluster::OutputFeed::Watch> remote;
  std::optional<std::chrono::steady_clock::time_point> final_since;
  while (true) {
    if (auto live = ctx.engine.stream(run_id)) {
      follow(out, *live, offset, ctx, run_id);
      return;
    }
    auto run = ctx.runs.get(run_id);
    if (!run) return;  // deleted meanwhile
    const bool final = run_status::is_final(run->status);
    // Over before we followed it: what the store kept, as for a run of this daemon.
    if (final && !remote) {
      stream_stored(out, *run, offset);
      return;
    }
    if (ctx.run_output && !remote && run->status != run_status::kPendingApproval) remote.emplace(*ctx.run_output, run_id);
    if (remote) {
      if (!follow_chunks(out, *ctx.run_output, offset, ctx, run_id, last_write)) return;
      // Final in the store, and no end row (yet): the executing daemon writes it right after
      // storing the end; if it never comes (that daemon died, and another settled the run),
      // the rest is what the store kept.
      if (final && !final_since) final_since = std::chrono::steady_clock::now();
      if (final_since && std::chrono::steady_clock::now() - *final_since >= kEndRowWait) {
        stream_stored(out, *run, offset);
        return;
      }
    }
    // Not in any engine (waiting for approval), or between the store and an engine for an
    // instant, or running elsewhere: look again shortly; stop with the daemon.
    if (!ctx.engine.accepting()) return;
    if (std::chrono::steady_clock::now() - last_write >= kKeepAlive) {
      if (!sse::keepalive(out)) return;
      last_write = std::chrono::steady_clock::now();
    }
    if (remote) remote->wait(kRemotePoll);
    else std::this_thread::sleep_for(kPoll);
  }
}

}  // namespace

void add_stream_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/automations/runs/{run_id}/stream", Access::needs(Permission::History).with_query_token(),
             [&ctx](Request& req) {
    std::string id = req.params["run_id"];
    if (!ctx.engine.snapshot(id) && !ctx.runs.get(id)) throw ApiError(404, "not_found", "no run '" + id + "'");
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
