#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/runs/run_record.hpp"
#include "core/store/database.hpp"

namespace steward {

class RunStore {
 public:
  explicit RunStore(store::Database& db) : db_(db) {}

  void insert(const RunRecord& r);
  void mark_running(const std::string& id, std::int64_t started_ms);
  // Moves a stored run (e.g. approved, was pending_approval) to `status`.
  void transition(const std::string& id, const std::string& status, std::optional<std::int64_t> started_ms);
  // Stores the final state and the automation's last_run/last_status in one transaction.
  void finish(const RunRecord& r);
  std::optional<RunRecord> get(const std::string& id);
  std::vector<RunRecord> list_for_automation(const std::string& automation_id, int limit, int offset);
  // At start: runs a previous process left queued or running become interrupted.
  int interrupt_unfinished(const std::string& reason);

 private:
  store::Database& db_;
};

}  // namespace steward
