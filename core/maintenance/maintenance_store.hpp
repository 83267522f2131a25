// The maintenance_windows table (migration 4). All its SQL lives here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/maintenance/maintenance_window.hpp"
#include "core/store/database.hpp"

namespace steward {

class MaintenanceStore {
 public:
  explicit MaintenanceStore(store::Database& db) : db_(db) {}

  void insert(const MaintenanceWindow& w);
  // Replaces every column but id and created_ms; false when no such window.
  bool update(const MaintenanceWindow& w);
  bool remove(const std::string& id);
  std::optional<MaintenanceWindow> get(const std::string& id);
  std::vector<MaintenanceWindow> list();

  store::Database& database() { return db_; }

 private:
  store::Database& db_;
};

}  // namespace steward
