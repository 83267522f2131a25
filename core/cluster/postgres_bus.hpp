// The bus on PostgreSQL: publish() is `SELECT pg_notify(channel, payload)` on the daemon's
// store connection (so it commits with the caller's transaction); a second connection
// LISTENs on every subscribed channel and a thread hands notifications to the handlers.
// When that connection drops it reconnects (every second until it can) and calls the
// resync handlers, since whatever was sent meanwhile is gone.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "core/cluster/bus.hpp"

namespace steward::cluster {

class PostgresBus final : public Bus {
 public:
  PostgresBus(store::Database& db, std::string url);
  ~PostgresBus() override;
  void publish(const std::string& channel, const std::string& payload) override;
  void subscribe(const std::string& channel, Handler handler) override;
  void on_resync(std::function<void()> handler) override;
  void start() override;
  void stop() override;

 private:
  void loop();

  store::Database& db_;
  std::string url_;
  std::mutex mutex_;
  std::multimap<std::string, Handler> handlers_;
  std::vector<std::function<void()>> resync_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace steward::cluster
