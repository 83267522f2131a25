// /api/automations — seed 002's Automations API: list, create, get, update, delete, run.
#include "api/routes/api_context.hpp"
#include "api/routes/route_helpers.hpp"
#include "core/automations/automation_input.hpp"
#include "core/util/clock.hpp"
#include "core/util/ids.hpp"

namespace steward::api {

using nlohmann::json;

namespace {

Automation parse_or_throw(const Request& req, ApiContext& ctx) {
  return valid_or_throw(automation_from_input(req.json_object_body(), ctx.registry, ctx.default_timeout_s));
}

// The optional body of POST …/run: {"override_maintenance": true} ignores maintenance
// windows for this run; admins only (docs/maintenance.md).
LaunchOptions run_options(const Request& req) {
  LaunchOptions options;
  if (req.body.empty()) return options;
  json body = req.json_object_body();
  for (const auto& [key, value] : body.items()) {
    if (key != "override_maintenance") throw ApiError(400, "invalid_field", key + ": is not a known field", key);
    if (!value.is_boolean())
      throw ApiError(400, "invalid_field", "override_maintenance: must be boolean", "override_maintenance");
    options.override_maintenance = value.get<bool>();
  }
  if (options.override_maintenance && req.principal->role != Role::Admin)
    throw ApiError(403, "override_not_allowed",
                   "only an admin key may override maintenance windows; '" + req.principal->name + "' is not one");
  return options;
}

Automation find_or_throw(ApiContext& ctx, const std::string& id) {
  auto a = ctx.automations.get(id);
  if (!a) throw ApiError(404, "not_found", "no automation '" + id + "'");
  return *a;
}

// The automation with its next scheduled fire (Unix seconds, or null).
json with_next_fire(ApiContext& ctx, const Automation& a) {
  json j = to_json(a);
  auto next = ctx.scheduler ? ctx.scheduler->next_fire_ms(a.id) : std::nullopt;
  j["next_fire"] = next ? json(*next / 1000) : json(nullptr);
  return j;
}

void reschedule(ApiContext& ctx, const std::string& id) {
  if (ctx.scheduler) ctx.scheduler->refresh(id);
}

}  // namespace

void add_automation_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/automations", Access::needs(Permission::History), [&ctx](Request&) {
    json list = json::array();
    for (const auto& a : ctx.automations.list()) list.push_back(with_next_fire(ctx, a));
    return Response::json(200, list);
  });

  router.add("POST", "/api/automations", Access::needs(Permission::AutomationsWrite), [&ctx](Request& req) {
    Automation a = parse_or_throw(req, ctx);
    a.id = new_id("auto");
    a.created_ms = a.updated_ms = now_ms();
    ctx.automations.insert(a);
    reschedule(ctx, a.id);
    return Response::json(201, {{"id", a.id}, {"status", "created"}});
  });

  router.add("GET", "/api/automations/{id}", Access::any({Permission::History, Permission::ScenarioHistory}),
             [&ctx](Request& req) {
    return Response::json(200, with_next_fire(ctx, find_or_throw(ctx, req.params["id"])));
  });

  router.add("PUT", "/api/automations/{id}", Access::needs(Permission::AutomationsWrite), [&ctx](Request& req) {
    Automation existing = find_or_throw(ctx, req.params["id"]);
    Automation a = parse_or_throw(req, ctx);
    a.id = existing.id;
    a.created_ms = existing.created_ms;
    a.updated_ms = now_ms();
    if (!ctx.automations.update(a)) throw ApiError(404, "not_found", "no automation '" + a.id + "'");
    reschedule(ctx, a.id);
    return Response::json(200, {{"status", "updated"}});
  });

  router.add("DELETE", "/api/automations/{id}", Access::needs(Permission::AutomationsWrite), [&ctx](Request& req) {
    if (!ctx.automations.remove(req.params["id"]))
      throw ApiError(404, "not_found", "no automation '" + req.params["id"] + "'");
    reschedule(ctx, req.params["id"]);
    return Response::json(200, {{"status", "deleted"}});
  });

  router.add("POST", "/api/automations/{id}/run", Access::any({Permission::Run, Permission::ScenarioRun}),
             [&ctx](Request& req) {
    Launch launch = launch_or_throw(ctx, req.params["id"], "manual", *req.principal, run_options(req));
    if (!wants_wait(req)) return Response::json(200, launch_json(launch));
    return Response::json(200, wait_for_run(ctx, launch.run));
  });

  router.add("GET", "/api/automations/{id}/runs", Access::any({Permission::History, Permission::ScenarioHistory}),
             [&ctx](Request& req) {
    Automation a = find_or_throw(ctx, req.params["id"]);
    auto [limit, offset] = paging(req, 50, 500);
    json list = json::array();
    for (const auto& r : ctx.runs.list_for_automation(a.id, limit, offset)) list.push_back(to_json(r));
    return Response::json(200, {{"runs", list}, {"limit", limit}, {"offset", offset}});
  });
}

}  // namespace steward::api
