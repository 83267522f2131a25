#include "core/cluster/output_feed.hpp"

namespace steward::cluster {

OutputFeed::OutputFeed(store::Database& db, Bus& bus, std::size_t cap_bytes) : chunks_(db), cap_(cap_bytes) {
  // On the bus thread: only bookkeeping under a mutex, nothing that can block or throw
  // beyond std::bad_alloc.
  bus.subscribe(kRunOutputChannel, [signals = signals_](const std::string& run_id) { signals->notify(run_id); });
  bus.on_resync([signals = signals_] { signals->notify_all(); });
}

void OutputFeed::Signals::notify(const std::string& run_id) {
  {
    std::lock_guard lock(mutex);
    auto it = runs.find(run_id);
    if (it == runs.end()) return;
    ++it->second.version;
  }
  cv.notify_all();
}

void OutputFeed::Signals::notify_all() {
  {
    std::lock_guard lock(mutex);
    for (auto& [id, run] : runs) ++run.version;
  }
  cv.notify_all();
}

OutputFeed::Watch::Watch(OutputFeed& feed, std::string run_id) : signals_(feed.signals_), run_id_(std::move(run_id)) {
  std::lock_guard lock(signals_->mutex);
  auto& run = signals_->runs[run_id_];
  ++run.watchers;
  seen_ = run.version;
}

OutputFeed::Watch::~Watch() {
  std::lock_guard lock(signals_->mutex);
  auto it = signals_->runs.find(run_id_);
  if (it != signals_->runs.end() && --it->second.watchers == 0) signals_->runs.erase(it);
}

bool OutputFeed::Watch::wait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(signals_->mutex);
  auto& run = signals_->runs[run_id_];  // present: this watch holds it
  bool changed = signals_->cv.wait_for(lock, timeout, [&] { return run.version != seen_; });
  seen_ = run.version;
  return changed;
}

}  // namespace steward::cluster
