#pragma once

#include <chrono>
#include <cstdint>

namespace steward {

// Wall-clock milliseconds since the Unix epoch: what the store keeps.
inline std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace steward
