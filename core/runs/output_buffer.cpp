#include "core/runs/output_buffer.hpp"

namespace steward {

std::string OutputBuffer::marker(std::size_t cap_bytes) {
  return "\n[steward: output truncated: more than " + std::to_string(cap_bytes) +
         " bytes; the rest was discarded]\n";
}

void OutputBuffer::append(std::string_view chunk) {
  std::lock_guard lock(mutex_);
  if (truncated_) return;
  if (text_.size() + chunk.size() <= cap_) {
    text_.append(chunk);
    return;
  }
  text_.append(chunk.substr(0, cap_ - text_.size()));
  text_ += marker(cap_);
  truncated_ = true;
}

std::string OutputBuffer::text() const {
  std::lock_guard lock(mutex_);
  return text_;
}

bool OutputBuffer::truncated() const {
  std::lock_guard lock(mutex_);
  return truncated_;
}

}  // namespace steward
