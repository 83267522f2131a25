#include "core/maintenance/maintenance_window.hpp"

#include "core/automations/target.hpp"

#include <algorithm>

namespace steward {

int autonomy::strictness(const std::string& value) {
  if (value == kDisabled) return 3;
  if (value == kApproval) return 2;
  if (value == kFull) return 1;
  return 0;
}

namespace {
// The latest fire S with lower < S <= at_ms, or nullopt. next() is monotone, so a binary
// search over the instant it is asked from finds S in ~log2(at_ms - lower) calls, however
// many fires lie between (a window of a year over a cron firing every minute).
std::optional<std::int64_t> latest_fire(const NextFire& next, std::int64_t lower, std::int64_t at_ms) {
  auto first = next(lower);
  if (!first || *first > at_ms) return std::nullopt;
  auto second = next(*first);
  if (!second || *second > at_ms) return first;  // the common case: one start in range
  std::int64_t lo = *first, hi = at_ms;          // next(lo) <= at_ms < next(hi)
  while (hi - lo > 1) {
    std::int64_t mid = lo + (hi - lo) / 2;
    auto fire = next(mid);
    if (fire && *fire <= at_ms) lo = mid;
    else hi = mid;
  }
  return next(lo);
}
}  // namespace

std::optional<Occurrence> scheduled_occurrence(const MaintenanceWindow& w, const NextFire& next, std::int64_t at_ms) {
  const std::int64_t duration = w.duration_ms();
  if (duration <= 0 || at_ms < w.start_ms) return std::nullopt;
  if (!w.recurring || !next) {
    if (at_ms < w.end_ms) return Occurrence{w.start_ms, w.end_ms};
    return std::nullopt;
  }
  // A start S covers at_ms when at_ms - duration < S <= at_ms (and S >= start_ms); the
  // latest such S is the occurrence in progress (it ends last).
  auto latest = latest_fire(next, std::max(at_ms - duration, w.start_ms - 1), at_ms);
  if (!latest) return std::nullopt;
  return Occurrence{*latest, *latest + duration};
}

std::optional<std::int64_t> next_start_after(const MaintenanceWindow& w, const NextFire& next, std::int64_t at_ms) {
  if (!w.recurring || !next) {
    if (w.start_ms > at_ms) return w.start_ms;
    return std::nullopt;
  }
  return next(std::max(at_ms, w.start_ms - 1));
}

std::optional<std::string> effective_forced(const MaintenanceWindow& w, std::int64_t at_ms) {
  if (!w.forced) return std::nullopt;
  if (*w.forced == "off" && w.forced_until_ms && *w.forced_until_ms <= at_ms) return std::nullopt;
  return w.forced;
}

bool is_active(const MaintenanceWindow& w, const NextFire& next, std::int64_t at_ms) {
  auto forced = effective_forced(w, at_ms);
  if (forced) return *forced == "on";
  return scheduled_occurrence(w, next, at_ms).has_value();
}

bool in_scope(const MaintenanceWindow& w, const Automation& a, const std::vector<std::string>& places) {
  std::vector<std::string> own;
  if (places.empty())
    if (auto t = parse_target(a.target); t && t->remote_place()) own.push_back(t->id);
  const auto& where = places.empty() ? own : places;
  for (const auto& entry : w.scope) {
    if (entry == a.id) return true;
    if (entry.rfind("tag:", 0) == 0 && a.tags.is_array()) {
      std::string tag = entry.substr(4);
      for (const auto& t : a.tags)
        if (t.is_string() && t.get<std::string>() == tag) return true;
    }
    // Devices and groups: the automation runs there (its target, a group's members, a
    // device's groups).
    for (const auto& place : where)
      if (entry == place) return true;
  }
  return false;
}

void force_on(MaintenanceWindow& w) {
  w.forced = "on";
  w.forced_until_ms.reset();
}

void force_off(MaintenanceWindow& w, const NextFire& next, std::int64_t at_ms) {
  if (!w.recurring) {
    w.forced = "off";
    w.forced_until_ms.reset();
    return;
  }
  if (auto occurrence = scheduled_occurrence(w, next, at_ms)) {
    w.forced = "off";
    w.forced_until_ms = occurrence->end_ms;
    return;
  }
  // Between occurrences: nothing to cut short; a forced "on" ends and the schedule rules.
  w.forced.reset();
  w.forced_until_ms.reset();
}

}  // namespace steward
