// A run's output as a live stream for any number of readers (SSE subscribers). Every byte
// has an absolute offset from the start of the run; a reader asks for "what follows
// offset N" and gets it, so a reconnecting client (Last-Event-ID = N) resumes with no gap
// and no repeat. Only the most recent `window` bytes are kept: the run appends and never
// waits for readers, and a reader that falls further behind than the window is told so
// (Read::Kind::Behind) instead of silently skipping bytes. This is separate from the
// stored, capped output (OutputBuffer): a stream may carry more than the store keeps.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>

namespace steward {

class OutputStream {
 public:
  explicit OutputStream(std::size_t window_bytes) : window_(window_bytes) {}

  void append(std::string_view chunk);
  // The run is over: readers get the rest, then Ended with this status and reason.
  void end(const std::string& status, const std::string& reason);

  struct Read {
    enum class Kind { Data, Idle, Ended, Behind } kind = Kind::Idle;
    std::string data;        // Data: the bytes from `from` (at most max_bytes)
    std::uint64_t next = 0;  // the offset after `data`
    std::string status, reason;  // Ended
  };
  // Waits up to `wait` for bytes after `from`. Idle: nothing new yet. Behind: `from` is
  // older than the oldest byte still kept (or beyond the end of the stream).
  Read read(std::uint64_t from, std::size_t max_bytes, std::chrono::milliseconds wait);

  std::uint64_t total() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::size_t window_;
  std::string kept_;           // the last bytes of the stream: offsets [base_, base_ + kept_.size())
  std::uint64_t base_ = 0;
  bool ended_ = false;
  std::string status_, reason_;
};

}  // namespace steward
