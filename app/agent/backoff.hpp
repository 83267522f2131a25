// The agent's reconnect delay (docs/device-protocol.md §4): random(0.5, 1.0) ×
// min(60 s, 1 s × 2^attempt); the attempt counter resets once a connection stayed up 60 s.
// Pure: the random source is injected, so tests can pin it.
#pragma once

#include <chrono>
#include <functional>

namespace steward::agent {

class Backoff {
 public:
  static constexpr std::chrono::milliseconds kBase{1000};
  static constexpr std::chrono::milliseconds kMax{60000};
  static constexpr std::chrono::seconds kStableAfter{60};

  // `uniform01` returns a number in [0, 1]; the default draws from a seeded std::mt19937.
  explicit Backoff(std::function<double()> uniform01 = {});

  // The delay before the next attempt; counts the attempt.
  std::chrono::milliseconds next();
  // A blocked device (403) waits the longest delay, without jitter; does not count.
  static std::chrono::milliseconds blocked() { return kMax; }
  // Called when a connection ends: one that stayed up kStableAfter starts over at attempt 0.
  void connection_ended(std::chrono::steady_clock::duration connected_for);
  void reset() { attempt_ = 0; }
  int attempt() const { return attempt_; }

 private:
  std::function<double()> uniform01_;
  int attempt_ = 0;
};

}  // namespace steward::agent
