#include "core/maintenance/maintenance_calendar.hpp"

#include <algorithm>

namespace steward {

namespace {

// The window's own occurrences overlapping the span, forcing aside.
std::vector<CalendarEntry> scheduled(const MaintenanceWindow& w, const NextFire& next, const CalendarSpan& span,
                                     std::size_t limit, bool& truncated) {
  std::vector<CalendarEntry> out;
  const std::int64_t duration = w.duration_ms();
  if (duration <= 0) return out;
  if (!w.recurring || !next) {
    if (w.start_ms < span.to_ms && w.end_ms > span.from_ms) out.push_back({w.start_ms, w.end_ms, std::nullopt});
    return out;
  }
  // The occurrence in progress at the span's start, then every start inside the span.
  if (auto current = scheduled_occurrence(w, next, span.from_ms)) out.push_back({current->start_ms, current->end_ms, std::nullopt});
  for (auto start = next_start_after(w, next, span.from_ms); start && *start < span.to_ms;
       start = next_start_after(w, next, *start)) {
    if (out.size() >= limit) {
      truncated = true;
      break;
    }
    out.push_back({*start, *start + duration, std::nullopt});
  }
  return out;
}

}  // namespace

std::vector<CalendarEntry> calendar_entries(const MaintenanceWindow& w, const NextFire& next, const CalendarSpan& span,
                                            std::size_t limit, bool& truncated) {
  std::vector<CalendarEntry> entries = scheduled(w, next, span, limit, truncated);
  const auto forced = effective_forced(w, span.now_ms);
  if (!forced) return entries;

  if (*forced == "on") {
    // Active from now until someone deactivates it: the schedule no longer matters after now.
    std::vector<CalendarEntry> past;
    for (auto e : entries) {
      if (e.start_ms >= span.now_ms) continue;
      e.end_ms = std::min(e.end_ms, span.now_ms);
      past.push_back(e);
    }
    const std::int64_t start = std::max(span.from_ms, span.now_ms);
    if (start < span.to_ms) past.push_back({start, span.to_ms, std::string("on")});
    return past;
  }

  // Off: the occurrences it cut short (until forced_until; for good on a one-off window)
  // stay in the list, marked, so that a calendar can show them as cancelled.
  const std::int64_t until = w.forced_until_ms.value_or(INT64_MAX);
  for (auto& e : entries)
    if (e.end_ms > span.now_ms && e.start_ms < until) e.forced = "off";
  return entries;
}

}  // namespace steward
