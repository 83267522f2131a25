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

  void insert(const Automation& a);
  // Replaces the editable fields; false when no such automation.
  bool update(const Automation& a);
  bool remove(const std::string& id);
  std::optional<Automation> get(const std::string& id);
  std::vector<Automation> list();

 private:
  store::Database& db_;
};

}  // namespace steward
