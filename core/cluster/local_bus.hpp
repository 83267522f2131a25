// The bus of a lone daemon (SQLite): publish() queues the message and the bus thread hands
// it to the subscribers, as a PostgreSQL NOTIFY would, but without a transaction's wait.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "core/cluster/bus.hpp"

namespace steward::cluster {

class LocalBus final : public Bus {
 public:
  LocalBus() = default;
  ~LocalBus() override { stop(); }
  void publish(const std::string& channel, const std::string& payload) override;
  void subscribe(const std::string& channel, Handler handler) override;
  void on_resync(std::function<void()>) override {}  // nothing is ever lost here
  void start() override;
  void stop() override;

 private:
  void loop();

  std::mutex mutex_;
  std::condition_variable cv_;
  std::multimap<std::string, Handler> handlers_;
  std::deque<std::pair<std::string, std::string>> pending_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace steward::cluster
