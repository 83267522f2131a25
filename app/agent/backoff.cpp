#include "app/agent/backoff.hpp"

#include <algorithm>
#include <memory>
#include <random>

namespace steward::agent {

Backoff::Backoff(std::function<double()> uniform01) : uniform01_(std::move(uniform01)) {
  if (!uniform01_) {
    auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
    uniform01_ = [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
  }
}

std::chrono::milliseconds Backoff::next() {
  // 2^6 s already passes the 60 s cap; stopping the exponent there avoids overflow.
  const int exponent = std::min(attempt_, 6);
  const std::chrono::milliseconds ceiling = std::min<std::chrono::milliseconds>(kMax, kBase * (1LL << exponent));
  ++attempt_;
  const double r = std::clamp(uniform01_(), 0.0, 1.0);
  const double factor = 0.5 + 0.5 * r;
  return std::chrono::milliseconds(static_cast<long long>(static_cast<double>(ceiling.count()) * factor));
}

void Backoff::connection_ended(std::chrono::steady_clock::duration connected_for) {
  if (connected_for >= kStableAfter) attempt_ = 0;
}

}  // namespace steward::agent
