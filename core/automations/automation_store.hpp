#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/automations/automation.hpp"
#include "core/store/database.hpp"

namespace steward {

class AutomationStore {
 public:
  explicit AutomationStore(store::Database& db) : db_(db) {}

  // For changes that span stores (an automation and its webhook): one transaction.
  store::Database& database() { return db_; }

  void insert(const Automation& a);
  // Replaces the editable fields; false when no such automation.
  bool update(const Automation& a);
  bool remove(const std::string& id);
  std::optional<Automation> get(const std::string& id);
  std::vector<Automation> list();

  // Just what the scheduler needs at start, for every enabled scheduled automation: cheap
  // to hold for 100,000 of them.
  struct ScheduleRow {
    std::string id, schedule, timezone;
    std::int64_t updated_ms;
  };
  std::vector<ScheduleRow> list_scheduled();

 private:
  store::Database& db_;
};

}  // namespace steward
