// Device executions and the per-device command queue (executions in status `queued`).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/devices/execution.hpp"
#include "core/store/database.hpp"

namespace steward {

class ExecutionStore {
 public:
  explicit ExecutionStore(store::Database& db) : db_(db) {}

  void insert(const DeviceExecution& e);
  void insert_all(const std::vector<DeviceExecution>& executions);  // one transaction
  // queued -> running; false when it is no longer queued (cancelled or expired meanwhile).
  bool mark_sent(const std::string& id, std::int64_t at_ms);
  void finish(const DeviceExecution& e);
  std::optional<DeviceExecution> get(const std::string& id);
  // Newest first.
  std::vector<DeviceExecution> list(const std::string& device_id, int limit, int offset);
  std::int64_t count(const std::string& device_id);
  // The device's queue, oldest first.
  std::vector<DeviceExecution> queued(const std::string& device_id);
  // Queued commands whose expiry has passed become `expired`; returns how many.
  int expire_due(std::int64_t now);
  // A queued command -> cancelled; false when it is not queued on that device.
  bool cancel_queued(const std::string& device_id, const std::string& id, const std::string& by);
  int clear_queue(const std::string& device_id, const std::string& by);
  // At start: executions a previous daemon left `running` end failed.
  int interrupt_unfinished(const std::string& reason);
  // At start, beside other daemons: the running executions of devices that no daemon in the
  // `daemons` table holds end failed (a dead daemon still listed there is reaped instead).
  int interrupt_orphaned(const std::string& reason);

  // --- executions routed to the daemon holding the device (docs/devices.md) ---
  // Stored `running` with no started_ms until that daemon claims it: sets started_ms; false
  // when it is no longer running or another daemon claimed it first.
  bool claim(const std::string& id, std::int64_t at_ms);
  // The device's routed executions nobody has claimed yet, oldest first.
  std::vector<std::string> unclaimed(const std::string& device_id);
  // Ends an unclaimed one with `status` (failed, cancelled); false when it was claimed or ended.
  bool end_unclaimed(const std::string& id, const std::string& status, const std::string& reason);
  // Ends it failed if it is still running (whoever holds it); false when it had ended.
  bool fail_if_running(const std::string& id, const std::string& reason);
  // The device's claimed running executions end failed (its connection that ran them is
  // gone); returns their ids.
  std::vector<std::string> fail_sent(const std::string& device_id, const std::string& reason);

 private:
  store::Database& db_;
};

}  // namespace steward
