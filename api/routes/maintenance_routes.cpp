// /api/maintenance — seed 002's maintenance windows: list, create, get, replace, delete,
// activate, deactivate. What a window does to runs is core/maintenance + RunLauncher.
#include "api/routes/api_context.hpp"
#include "api/routes/route_helpers.hpp"
#include "core/maintenance/maintenance_calendar.hpp"
#include "core/maintenance/maintenance_input.hpp"
#include "core/maintenance/maintenance_recurrence.hpp"
#include "core/util/clock.hpp"
#include "core/util/ids.hpp"

namespace steward::api {

using nlohmann::json;

namespace {

MaintenanceWindow parse_or_throw(const Request& req, ApiContext& ctx) {
  return valid_or_throw(window_from_input(req.json_object_body(),
                                          [&ctx](const std::string& id) { return ctx.automations.get(id).has_value(); }));
}

MaintenanceWindow find_or_throw(ApiContext& ctx, const std::string& id) {
  auto w = ctx.maintenance.store().get(id);
  if (!w) throw ApiError(404, "not_found", "no maintenance window '" + id + "'");
  return *w;
}

// A calendar over many windows stays a bounded answer: per window and in all.
constexpr std::size_t kCalendarPerWindow = 500;
constexpr std::size_t kCalendarTotal = 5000;

json calendar_answer(ApiContext& ctx, const Request& req) {
  const std::int64_t now = now_ms();
  const std::string from_text = req.query_or("from", "");
  CalendarSpan span{from_text.empty() ? now : parse_time_ms(from_text, "from"), 0, now};
  span.to_ms = span.from_ms + std::int64_t{query_int(req, "days", 7, 1, 31)} * 24 * 3600 * 1000;

  struct Row {
    CalendarEntry entry;
    const MaintenanceWindow* window;
  };
  std::vector<MaintenanceWindow> windows = ctx.maintenance.store().list();
  std::vector<Row> rows;
  bool truncated = false;
  for (const auto& w : windows)
    for (auto& e : calendar_entries(w, next_fire_of(w), span, kCalendarPerWindow, truncated)) rows.push_back({e, &w});
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.entry.start_ms < b.entry.start_ms; });
  if (rows.size() > kCalendarTotal) {
    rows.resize(kCalendarTotal);
    truncated = true;
  }
  json occurrences = json::array();
  for (const auto& r : rows)
    occurrences.push_back({{"window_id", r.window->id},
                           {"name", r.window->name},
                           {"start", iso8601(r.entry.start_ms)},
                           {"end", iso8601(r.entry.end_ms)},
                           {"autonomy_override", r.window->autonomy_override},
                           {"forced", r.entry.forced ? json(*r.entry.forced) : json(nullptr)}});
  return {{"from", iso8601(span.from_ms)}, {"to", iso8601(span.to_ms)}, {"truncated", truncated},
          {"occurrences", occurrences}};
}

}  // namespace

void add_maintenance_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/maintenance", Access::needs(Permission::History), [&ctx](Request&) {
    std::int64_t now = now_ms();
    json list = json::array();
    for (const auto& w : ctx.maintenance.store().list()) list.push_back(window_json(w, now));
    return Response::json(200, list);
  });

  // The dashboard's week calendar: when each window is in effect over `days` from `from`.
  router.add("GET", "/api/maintenance/calendar", Access::needs(Permission::History),
             [&ctx](Request& req) { return Response::json(200, calendar_answer(ctx, req)); });

  router.add("POST", "/api/maintenance", Access::needs(Permission::AutomationsWrite), [&ctx](Request& req) {
    MaintenanceWindow w = parse_or_throw(req, ctx);
    w.id = new_id("mw");
    w.created_ms = w.updated_ms = now_ms();
    ctx.maintenance.store().insert(w);
    return Response::json(201, window_json(w, now_ms()));
  });

  router.add("GET", "/api/maintenance/{id}", Access::needs(Permission::History), [&ctx](Request& req) {
    return Response::json(200, window_json(find_or_throw(ctx, req.params["id"]), now_ms()));
  });

  // Full replace: every field as on create; activate/deactivate's forced state is reset,
  // so the window follows its new times.
  router.add("PUT", "/api/maintenance/{id}", Access::needs(Permission::AutomationsWrite), [&ctx](Request& req) {
    MaintenanceWindow existing = find_or_throw(ctx, req.params["id"]);
    MaintenanceWindow w = parse_or_throw(req, ctx);
    w.id = existing.id;
    w.created_ms = existing.created_ms;
    w.updated_ms = now_ms();
    if (!ctx.maintenance.store().update(w)) throw ApiError(404, "not_found", "no maintenance window '" + w.id + "'");
    return Response::json(200, window_json(w, now_ms()));
  });

  router.add("DELETE", "/api/maintenance/{id}", Access::needs(Permission::AutomationsWrite), [&ctx](Request& req) {
    if (!ctx.maintenance.store().remove(req.params["id"]))
      throw ApiError(404, "not_found", "no maintenance window '" + req.params["id"] + "'");
    return Response::json(200, {{"status", "deleted"}});
  });

  for (bool on : {true, false}) {
    router.add("POST", std::string("/api/maintenance/{id}/") + (on ? "activate" : "deactivate"),
               Access::needs(Permission::AutomationsWrite), [&ctx, on](Request& req) {
                 std::int64_t now = now_ms();
                 const std::string& id = req.params["id"];
                 auto w = on ? ctx.maintenance.activate(id, now) : ctx.maintenance.deactivate(id, now);
                 if (!w) throw ApiError(404, "not_found", "no maintenance window '" + id + "'");
                 return Response::json(200, window_json(*w, now));
               });
  }
}

}  // namespace steward::api
