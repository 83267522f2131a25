// Polling with a deadline, for what a test waits on (a device online, a row reaped): the
// condition decides, never a fixed sleep.
#pragma once

#include <chrono>
#include <thread>

namespace steward::test {

// Polls `done` every 50 ms until it holds or `limit` passes; its last answer.
template <class Done>
bool eventually(Done done, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

}  // namespace steward::test
