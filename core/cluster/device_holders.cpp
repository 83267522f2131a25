#include "core/cluster/device_holders.hpp"

#include "core/util/clock.hpp"

namespace steward::cluster {

std::string DeviceHolders::take(const std::string& device_id) {
  return db_.transaction([&] {
    auto row = db_.query_one("SELECT daemon_id FROM devices WHERE id = ?", {device_id});
    std::string before = row ? row->optional_text(0).value_or("") : "";
    db_.execute("UPDATE devices SET daemon_id = ? WHERE id = ?", {self_, device_id});
    return before == self_ ? std::string() : before;
  });
}

void DeviceHolders::release(const std::string& device_id) {
  db_.execute("UPDATE devices SET daemon_id = NULL WHERE id = ? AND daemon_id = ?", {device_id, self_});
}

std::string DeviceHolders::holder_elsewhere(const std::string& device_id) {
  auto row = db_.query_one(
      "SELECT d.daemon_id FROM devices d JOIN daemons m ON m.id = d.daemon_id "
      "WHERE d.id = ? AND d.daemon_id <> ? AND m.lease_until_ms >= ?",
      {device_id, self_, now_ms()});
  return row ? row->text(0) : std::string();
}

bool DeviceHolders::held_here(const std::string& device_id) {
  return db_.query_one("SELECT 1 FROM devices WHERE id = ? AND daemon_id = ?", {device_id, self_}).has_value();
}

std::vector<std::string> DeviceHolders::held_elsewhere() {
  std::vector<std::string> out;
  for (const auto& r : db_.query("SELECT d.id FROM devices d JOIN daemons m ON m.id = d.daemon_id "
                                 "WHERE d.daemon_id <> ? AND m.lease_until_ms >= ? ORDER BY d.id",
                                 {self_, now_ms()}))
    out.push_back(r.text(0));
  return out;
}

std::vector<std::string> DeviceHolders::settle_loss(store::Database& db, const std::string& dead) {
  return db.transaction([&] {
    std::vector<std::string> ids;
    for (const auto& r : db.query("SELECT e.id FROM device_executions e JOIN devices d ON d.id = e.device_id "
                                  "WHERE d.daemon_id = ? AND e.status = 'running' ORDER BY e.id",
                                  {dead}))
      ids.push_back(r.text(0));
    const std::int64_t now = now_ms();
    for (const auto& id : ids)
      db.execute("UPDATE device_executions SET status = 'failed', finished_ms = ?, error = ? "
                 "WHERE id = ? AND status = 'running'",
                 {now, std::string(kLossReason), id});
    db.execute("UPDATE devices SET daemon_id = NULL WHERE daemon_id = ?", {dead});
    return ids;
  });
}

}  // namespace steward::cluster
