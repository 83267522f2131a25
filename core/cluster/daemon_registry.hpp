// The daemons sharing the database, and this one's lease (docs/operations.md, "Running a
// cluster"). join() adds this daemon's row; a heartbeat renews lease_until_ms every
// `renew`; a daemon whose lease passed is dead. Each heartbeat also looks for dead daemons:
// one survivor deletes a dead daemon's row and, in the same transaction, the reap handlers
// settle what it held (its runs become interrupted or queued again, its devices offline).
//
// A daemon that cannot renew its own lease before it runs out (the database unreachable,
// the process stalled) may already have been reaped: it fences itself, calling on_fenced,
// and the daemon stops rather than finish runs someone else has settled.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <optional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/store/database.hpp"

namespace steward::cluster {

struct LeaseOptions {
  std::chrono::milliseconds ttl{10000};    // a daemon silent this long is dead
  std::chrono::milliseconds renew{2000};   // how often the heartbeat renews and reaps
};

struct DaemonInfo {
  std::string id;
  std::string host;
  std::int64_t pid = 0;
  std::string http_address;
  std::string device_address;
  std::string version;
  std::int64_t started_ms = 0;
  std::int64_t heartbeat_ms = 0;
  std::int64_t lease_until_ms = 0;
  std::string data_dir;
};

class DaemonRegistry {
 public:
  // Runs inside the reaping transaction, with the dead daemon's id.
  using ReapHandler = std::function<void(const std::string& dead_daemon_id)>;

  DaemonRegistry(store::Database& db, LeaseOptions options);
  ~DaemonRegistry();
  DaemonRegistry(const DaemonRegistry&) = delete;
  DaemonRegistry& operator=(const DaemonRegistry&) = delete;

  // Inserts this daemon's row with a new id (`dmn_…`) and a fresh lease. `data_dir` (made
  // absolute) with the host name says where it runs: see reap_previous().
  void join(const std::string& version, const std::string& data_dir);
  // Reaps, without waiting for their leases, the rows of earlier daemons of this host and
  // data directory: this process holds the directory's lock, so they are gone (a restart
  // after kill -9 settles the old process's runs at once). Returns how many.
  int reap_previous();
  // Where this daemon listens (host:port), once its servers are up.
  void advertise(const std::string& http_address, const std::string& device_address);
  // A lone daemon (SQLite, holding the data directory's lock) knows every other row is a
  // process that is gone: they are deleted without waiting for their leases.
  void forget_others();
  const std::string& self() const { return self_; }

  // Before start(). Handlers run in registration order.
  void on_reap(ReapHandler handler) { reap_handlers_.push_back(std::move(handler)); }
  void on_fenced(std::function<void()> handler) { fenced_ = std::move(handler); }

  // Reaps daemons already dead, then starts the heartbeat thread.
  void start();
  // Stops the heartbeat and deletes this daemon's row (a clean leave: nothing to reap).
  void leave();

  // Dead daemons reaped now by this one (also what the heartbeat does); returns how many.
  int reap_expired();
  std::vector<DaemonInfo> list();

 private:
  void loop();
  void stop_thread();
  // Deletes `dead`'s row (only while its lease ended before `expired_before`, when given)
  // and runs the reap handlers in the same transaction; false when another daemon did.
  bool reap(const std::string& dead, std::optional<std::int64_t> expired_before);
  bool renew();  // false: this daemon's row is gone or its lease ran out

  store::Database& db_;
  LeaseOptions options_;
  std::string self_;
  std::string host_, data_dir_;
  std::vector<ReapHandler> reap_handlers_;
  std::function<void()> fenced_;
  std::int64_t lease_until_ms_ = 0;  // as last written by this daemon

  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace steward::cluster
