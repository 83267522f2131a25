// When a maintenance window is in effect over a span of time (the dashboard's week
// calendar, GET /api/maintenance/calendar): its scheduled occurrences, with what
// activate / deactivate changed from now on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/maintenance/maintenance_window.hpp"

namespace steward {

struct CalendarEntry {
  std::int64_t start_ms;
  std::int64_t end_ms;
  // "on": forced on by activate (from now until deactivated; shown up to the span's end).
  // "off": a scheduled occurrence that deactivate cancelled. Absent: as scheduled.
  std::optional<std::string> forced;
};

struct CalendarSpan {
  std::int64_t from_ms;
  std::int64_t to_ms;
  std::int64_t now_ms;  // forcing applies from here on; what is past stays as scheduled
};

// The entries overlapping [from_ms, to_ms), in start order, at most `limit` of them
// (a cron firing every minute would otherwise give tens of thousands a month).
// `truncated` is set when the limit cut the list.
std::vector<CalendarEntry> calendar_entries(const MaintenanceWindow& w, const NextFire& next, const CalendarSpan& span,
                                            std::size_t limit, bool& truncated);

}  // namespace steward
