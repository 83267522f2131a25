#include "core/runs/output_stream.hpp"

namespace steward {

void OutputStream::append(std::string_view chunk) {
  if (chunk.empty()) return;
  {
    std::lock_guard lock(mutex_);
    kept_.append(chunk);
    // Trim in large steps so a steady trickle does not move the buffer on every append.
    if (kept_.size() > window_ + window_ / 4) {
      std::size_t drop = kept_.size() - window_;
      kept_.erase(0, drop);
      base_ += drop;
    }
  }
  cv_.notify_all();
}

void OutputStream::end(const std::string& status, const std::string& reason) {
  {
    std::lock_guard lock(mutex_);
    ended_ = true;
    status_ = status;
    reason_ = reason;
  }
  cv_.notify_all();
}

std::uint64_t OutputStream::total() const {
  std::lock_guard lock(mutex_);
  return base_ + kept_.size();
}

OutputStream::Read OutputStream::read(std::uint64_t from, std::size_t max_bytes, std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, wait, [&] { return ended_ || base_ + kept_.size() > from || from < base_; });
  Read r;
  const std::uint64_t end = base_ + kept_.size();
  if (from < base_ || from > end) {
    r.kind = Read::Kind::Behind;
    r.next = base_;
    return r;
  }
  if (from < end) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(end - from, max_bytes));
    r.kind = Read::Kind::Data;
    r.data = kept_.substr(static_cast<std::size_t>(from - base_), n);
    r.next = from + n;
    return r;
  }
  r.next = end;
  if (ended_) {
    r.kind = Read::Kind::Ended;
    r.status = status_;
    r.reason = reason_;
  }
  return r;
}

}  // namespace steward
