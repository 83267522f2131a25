// A run's captured output: appended by the running plugin, read by API threads while the
// run goes on. Past the cap it keeps nothing more and ends with one truncation marker, so
// a chatty run cannot exhaust memory or the store.
#pragma once

#include <mutex>
#include <string>
#include <string_view>

namespace steward {

class OutputBuffer {
 public:
  explicit OutputBuffer(std::size_t cap_bytes) : cap_(cap_bytes) {}

  void append(std::string_view chunk);
  std::string text() const;
  bool truncated() const;

  static std::string marker(std::size_t cap_bytes);

 private:
  mutable std::mutex mutex_;
  std::size_t cap_;
  std::string text_;
  bool truncated_ = false;
};

}  // namespace steward
