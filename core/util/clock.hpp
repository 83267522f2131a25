#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace steward {

// Wall-clock milliseconds since the Unix epoch: what the store keeps.
inline std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// "2026-11-23T14:00:00Z": the Devices API's and proposals' time format (UTC, seconds).
std::string iso8601(std::int64_t ms);

}  // namespace steward
