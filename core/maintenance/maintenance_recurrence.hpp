// A recurring window's cron (its starts), read in the window's time zone, through the one
// cron implementation (core/scheduling/cron_expression).
#pragma once

#include <string>
#include <variant>

#include "core/maintenance/maintenance_window.hpp"

namespace steward {

// The cron's fires in `zone`, or the cron parser's message.
std::variant<NextFire, std::string> compile_recurrence(const std::string& cron, const std::string& zone);

// The window's starts: empty for a one-off window; a stored cron that no longer parses
// (it was checked when saved) never fires.
NextFire next_fire_of(const MaintenanceWindow& w);

}  // namespace steward
