#include "core/cluster/output_relay.hpp"

#include <algorithm>
#include <set>

#include "core/util/clock.hpp"
#include "core/util/log.hpp"

namespace steward::cluster {

OutputRelay::OutputRelay(store::Database& db, Bus& bus, Source source, RelayOptions options)
    : db_(db), bus_(bus), chunks_(db), source_(std::move(source)), options_(options) {}

OutputRelay::~OutputRelay() { stop(); }

void OutputRelay::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { loop(); });
}

void OutputRelay::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
    flush();  // the end rows of runs the engine finished while stopping
  }
}

void OutputRelay::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    cv_.wait_for(lock, options_.interval, [&] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    flush();
    if (std::chrono::steady_clock::now() - last_sweep_ >= options_.sweep_every) {
      sweep();
      last_sweep_ = std::chrono::steady_clock::now();
    }
    lock.lock();
  }
}

void OutputRelay::flush() {
  try {
    std::set<std::string> live;
    for (auto& run : source_()) {
      live.insert(run.id);
      auto [it, added] = tracked_.try_emplace(run.id);
      // A new stream under a known id: the run started again here (a retry); start over.
      if (!added && it->second.stream != run.stream) it->second = Tracked{};
      if (!it->second.stream) it->second.stream = std::move(run.stream);
    }
    for (auto it = tracked_.begin(); it != tracked_.end();) {
      bool ended = flush_run(it->first, it->second);
      // An ended stream's last bytes and end row are stored: nothing more will come. A run
      // that left the engine has ended its stream first (RunEngine::complete).
      it = ended ? tracked_.erase(it) : std::next(it);
    }
  } catch (const std::exception& e) {
    log(LogLevel::Error, "cluster", std::string("output relay: ") + e.what());
  }
}

bool OutputRelay::flush_run(const std::string& id, Tracked& t) {
  struct Segment {
    std::uint64_t start;
    std::string bytes;
  };
  std::vector<Segment> segments;
  std::uint64_t at = t.stored;
  bool ended = false;
  std::string status, reason;
  for (;;) {
    auto r = t.stream->read(at, options_.window_bytes, std::chrono::milliseconds(0));
    using Kind = OutputStream::Read::Kind;
    if (r.kind == Kind::Data) {
      if (segments.empty() || segments.back().start + segments.back().bytes.size() != at) segments.push_back({at, {}});
      segments.back().bytes += r.data;
      at = r.next;
    } else if (r.kind == Kind::Behind && r.next > at) {
      // The run printed more than the stream window since the last pass (or the database
      // was unreachable that long): those bytes are gone; readers there are told so.
      log(LogLevel::Warning, "cluster", "output relay: " + id + " lost bytes " + std::to_string(at) + "-" +
                                            std::to_string(r.next) + " (more than the stream window between two passes)");
      at = r.next;
    } else {
      if (r.kind == Kind::Ended) {
        ended = true;
        status = r.status;
        reason = r.reason;
      }
      break;
    }
  }
  if (segments.empty() && !ended) {
    t.stored = at;  // a skipped stretch (Behind) needs no row
    return false;
  }

  // Rows wholly older than the window and past the head nobody can still read.
  std::uint64_t drop_to = t.dropped_to;
  const std::uint64_t keep = options_.window_bytes + OutputChunks::kRowBytes;
  if (at > options_.cap_bytes + keep && at - keep >= std::max<std::uint64_t>(t.dropped_to, options_.cap_bytes) + options_.window_bytes / 4)
    drop_to = at - keep;
  try {
    db_.transaction([&] {
      if (t.fresh) chunks_.clear(id);
      for (const auto& s : segments) chunks_.append(id, s.start, s.bytes);
      if (ended) chunks_.end(id, at, status, reason);
      if (drop_to != t.dropped_to) chunks_.drop_range(id, options_.cap_bytes, drop_to);
      bus_.publish(kRunOutputChannel, id);  // delivered when this commits
    });
  } catch (const std::exception& e) {
    // Nothing was stored; the bytes are still in the stream's window for the next pass.
    log(LogLevel::Warning, "cluster", "output relay: could not store the output of " + id + ": " + e.what());
    return false;
  }
  t.stored = at;
  t.fresh = false;
  t.dropped_to = drop_to;
  return ended;
}

void OutputRelay::sweep() {
  try {
    chunks_.sweep(now_ms(), options_.keep_after_end.count());
  } catch (const std::exception& e) {
    log(LogLevel::Warning, "cluster", std::string("output relay: sweep failed: ") + e.what());
  }
}

}  // namespace steward::cluster
