#include "core/maintenance/maintenance_policy.hpp"

#include "core/automations/target.hpp"

#include "core/approvals/approval_request.hpp"
#include "core/maintenance/maintenance_recurrence.hpp"
#include "core/maintenance/maintenance_time.hpp"

namespace steward {

using nlohmann::json;

std::string AppliedWindow::describe() const { return "maintenance window " + id + " (" + name + ") is active"; }

std::optional<AppliedWindow> strictest_active(const std::vector<MaintenanceWindow>& windows, const Automation& a,
                                              std::int64_t at_ms, const std::vector<std::string>& places) {
  const MaintenanceWindow* best = nullptr;
  for (const auto& w : windows) {
    if (!in_scope(w, a, places)) continue;
    if (best && autonomy::strictness(w.autonomy_override) <= autonomy::strictness(best->autonomy_override)) continue;
    if (!is_active(w, next_fire_of(w), at_ms)) continue;
    best = &w;
  }
  if (!best) return std::nullopt;
  return AppliedWindow{best->id, best->name, best->autonomy_override};
}

json window_json(const MaintenanceWindow& w, std::int64_t at_ms) {
  NextFire next = next_fire_of(w);
  auto next_start = next_start_after(w, next, at_ms);
  auto forced = effective_forced(w, at_ms);
  // A one-off window switched off for good has no next start.
  if (!w.recurring && forced && *forced == "off") next_start.reset();
  return {{"id", w.id},
          {"name", w.name},
          {"start", maintenance_time::format_local(w.start_ms, w.timezone)},
          {"end", maintenance_time::format_local(w.end_ms, w.timezone)},
          {"timezone", w.timezone},
          {"recurring", w.recurring ? json(*w.recurring) : json(nullptr)},
          {"scope", w.scope},
          {"autonomy_override", w.autonomy_override},
          {"active", is_active(w, next, at_ms)},
          {"next_start", next_start ? json(iso8601(*next_start)) : json(nullptr)},
          {"forced", forced ? json(*forced) : json(nullptr)},
          {"forced_until", forced && w.forced_until_ms ? json(iso8601(*w.forced_until_ms)) : json(nullptr)},
          {"created", w.created_ms / 1000},
          {"updated", w.updated_ms / 1000}};
}

std::optional<AppliedWindow> MaintenancePolicy::applies(const Automation& a, std::int64_t at_ms) {
  std::vector<std::string> places;
  if (places_)
    if (auto t = parse_target(a.target); t && t->remote_place()) places = places_(*t);
  return strictest_active(store_.list(), a, at_ms, places);
}

std::optional<MaintenanceWindow> MaintenancePolicy::activate(const std::string& id, std::int64_t at_ms) {
  return store_.database().transaction([&]() -> std::optional<MaintenanceWindow> {
    store_.database().lock_row("maintenance_windows", id);  // another daemon may change it at once
    auto w = store_.get(id);
    if (!w) return std::nullopt;
    force_on(*w);
    w->updated_ms = at_ms;
    store_.update(*w);
    return w;
  });
}

std::optional<MaintenanceWindow> MaintenancePolicy::deactivate(const std::string& id, std::int64_t at_ms) {
  return store_.database().transaction([&]() -> std::optional<MaintenanceWindow> {
    store_.database().lock_row("maintenance_windows", id);  // another daemon may change it at once
    auto w = store_.get(id);
    if (!w) return std::nullopt;
    force_off(*w, next_fire_of(*w), at_ms);
    w->updated_ms = at_ms;
    store_.update(*w);
    return w;
  });
}

}  // namespace steward
