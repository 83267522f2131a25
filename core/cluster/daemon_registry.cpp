#include "core/cluster/daemon_registry.hpp"

#include <unistd.h>

#include <filesystem>
#include <optional>

#include "core/util/clock.hpp"
#include "core/util/ids.hpp"
#include "core/util/log.hpp"

namespace steward::cluster {

namespace {
std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

DaemonInfo info_of(const store::Row& r) {
  return DaemonInfo{r.text(0),    r.text(1),    r.integer(2), r.text(3), r.text(4),
                    r.text(5),    r.integer(6), r.integer(7), r.integer(8), r.text(9)};
}
constexpr const char* kColumns =
    "id, host, pid, http_address, device_address, version, started_ms, heartbeat_ms, lease_until_ms, data_dir";
}  // namespace

DaemonRegistry::DaemonRegistry(store::Database& db, LeaseOptions options) : db_(db), options_(options) {}

DaemonRegistry::~DaemonRegistry() { stop_thread(); }

void DaemonRegistry::stop_thread() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void DaemonRegistry::join(const std::string& version, const std::string& data_dir) {
  self_ = new_id("dmn");
  host_ = host_name();
  std::error_code ec;
  auto absolute = std::filesystem::absolute(data_dir, ec);
  data_dir_ = ec ? data_dir : absolute.lexically_normal().string();
  const std::int64_t now = now_ms();
  lease_until_ms_ = now + options_.ttl.count();
  db_.execute(
      "INSERT INTO daemons(id, host, pid, http_address, device_address, version, data_dir, started_ms, heartbeat_ms, "
      "lease_until_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {self_, host_, static_cast<std::int64_t>(::getpid()), std::string(), std::string(), version, data_dir_, now, now,
       lease_until_ms_});
}

int DaemonRegistry::reap_previous() {
  std::vector<std::string> previous;
  for (const auto& r : db_.query("SELECT id FROM daemons WHERE host = ? AND data_dir = ? AND id <> ?",
                                 {host_, data_dir_, self_}))
    previous.push_back(r.text(0));
  int n = 0;
  for (const auto& id : previous) n += reap(id, std::nullopt) ? 1 : 0;
  return n;
}

void DaemonRegistry::advertise(const std::string& http_address, const std::string& device_address) {
  db_.execute("UPDATE daemons SET http_address = ?, device_address = ? WHERE id = ?",
              {http_address, device_address, self_});
}

void DaemonRegistry::forget_others() { db_.execute("DELETE FROM daemons WHERE id <> ?", {self_}); }

void DaemonRegistry::start() {
  reap_expired();
  thread_ = std::thread([this] { loop(); });
}

void DaemonRegistry::leave() {
  stop_thread();
  if (self_.empty()) return;
  try {
    db_.execute("DELETE FROM daemons WHERE id = ?", {self_});
  } catch (const std::exception& e) {
    log(LogLevel::Warning, "cluster", std::string("could not remove this daemon's row: ") + e.what());
  }
}

bool DaemonRegistry::renew() {
  const std::int64_t now = now_ms();
  std::size_t changed = 0;
  try {
    changed = db_.execute("UPDATE daemons SET heartbeat_ms = ?, lease_until_ms = ? WHERE id = ?",
                          {now, now + options_.ttl.count(), self_});
  } catch (const std::exception& e) {
    log(LogLevel::Warning, "cluster", std::string("could not renew the lease: ") + e.what());
    // Still ours until it runs out; after that another daemon may have settled our runs.
    return now_ms() < lease_until_ms_;
  }
  if (changed == 1) {
    lease_until_ms_ = now + options_.ttl.count();
    return true;
  }
  log(LogLevel::Error, "cluster", "this daemon's row is gone: another daemon found its lease expired");
  return false;
}

int DaemonRegistry::reap_expired() {
  int reaped = 0;
  const std::int64_t now = now_ms();
  std::vector<std::string> candidates;
  for (const auto& r : db_.query("SELECT id FROM daemons WHERE lease_until_ms < ? AND id <> ?", {now, self_}))
    candidates.push_back(r.text(0));
  for (const auto& dead : candidates) reaped += reap(dead, now) ? 1 : 0;
  return reaped;
}

bool DaemonRegistry::reap(const std::string& dead, std::optional<std::int64_t> expired_before) {
  try {
    bool won = db_.transaction([&] {
      // The DELETE is the claim: of several survivors, one deletes the row; the others
      // wait for its commit and then delete nothing.
      std::size_t deleted = expired_before
                                ? db_.execute("DELETE FROM daemons WHERE id = ? AND lease_until_ms < ?", {dead, *expired_before})
                                : db_.execute("DELETE FROM daemons WHERE id = ?", {dead});
      if (deleted != 1) return false;
      for (auto& h : reap_handlers_) h(dead);
      return true;
    });
    if (won)
      log(LogLevel::Warning, "cluster",
          "daemon " + dead + (expired_before ? " stopped renewing its lease" : " was this data directory's previous process") +
              "; settled what it held");
    return won;
  } catch (const std::exception& e) {
    log(LogLevel::Error, "cluster", "reaping " + dead + " failed: " + e.what());
    return false;
  }
}

std::vector<DaemonInfo> DaemonRegistry::list() {
  std::vector<DaemonInfo> out;
  for (const auto& r : db_.query(std::string("SELECT ") + kColumns + " FROM daemons ORDER BY started_ms, id"))
    out.push_back(info_of(r));
  return out;
}

void DaemonRegistry::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    cv_.wait_for(lock, options_.renew, [&] { return stopping_; });
    if (stopping_) return;
    lock.unlock();
    bool ours = renew();
    if (ours) reap_expired();
    lock.lock();
    if (!ours) {
      stopping_ = true;
      lock.unlock();
      log(LogLevel::Error, "cluster", "lease lost: stopping this daemon so no run is finished twice");
      if (fenced_) fenced_();
      return;
    }
  }
}

}  // namespace steward::cluster
