// The maintenance-window policy, first in the chain every run goes through (RunLauncher):
// which window, if any, governs an automation at an instant, and with what override.
// It also owns the windows' forced state (activate / deactivate) so that the rules for
// "active" live in one place (docs/maintenance.md).
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/automations/automation.hpp"
#include "core/automations/target.hpp"
#include "core/maintenance/maintenance_store.hpp"
#include "core/maintenance/maintenance_window.hpp"

namespace steward {

struct AppliedWindow {
  std::string id;
  std::string name;
  std::string autonomy_override;  // disabled | approval | full
  // "maintenance window mw_… (Name) is active"
  std::string describe() const;
};

// Of `windows`, the strictest active at `at_ms` whose scope covers `a` (disabled >
// approval > full; among equals, the first in the list, i.e. the oldest window).
std::optional<AppliedWindow> strictest_active(const std::vector<MaintenanceWindow>& windows, const Automation& a,
                                              std::int64_t at_ms, const std::vector<std::string>& places = {});

// The API's view of a window at `at_ms`: its fields (start/end as local date-times in its
// time zone), `active`, `next_start` (ISO 8601 UTC or null), `forced`, `forced_until`.
nlohmann::json window_json(const MaintenanceWindow& w, std::int64_t at_ms);

class MaintenancePolicy {
 public:
  explicit MaintenancePolicy(MaintenanceStore& store) : store_(store) {}

  std::optional<AppliedWindow> applies(const Automation& a, std::int64_t at_ms);

  // Force a window on / off now (see force_on / force_off); nullopt when no such window.
  std::optional<MaintenanceWindow> activate(const std::string& id, std::int64_t at_ms);
  std::optional<MaintenanceWindow> deactivate(const std::string& id, std::int64_t at_ms);

  MaintenanceStore& store() { return store_; }

  // The device and group ids a target touches (set by the daemon once devices exist), so a
  // window on a device also covers automations that run on its groups, and the reverse.
  using Places = std::function<std::vector<std::string>(const Target& target)>;
  void set_places(Places places) { places_ = std::move(places); }

 private:
  MaintenanceStore& store_;
  Places places_;
};

}  // namespace steward
