// /api/automations — seed 002's Automations API: list, create, get, update, delete, run.
#include "api/routes/api_context.hpp"
#include "core/automations/automation_input.hpp"
#include "core/util/clock.hpp"
#include "core/util/ids.hpp"

namespace steward::api {

using nlohmann::json;

namespace {

Automation parse_or_throw(const Request& req, ApiContext& ctx) {
  auto body = req.json_body();
  if (!body.is_object()) throw ApiError(400, "invalid_request", "the request body must be a JSON object");
  auto parsed = automation_from_input(body, ctx.registry, ctx.default_timeout_s);
  if (auto* err = std::get_if<SchemaError>(&parsed)) throw ApiError(400, "invalid_field", err->text(), err->path);
  return std::get<Automation>(std::move(parsed));
}

Automation find_or_throw(ApiContext& ctx, const std::string& id) {
  auto a = ctx.automations.get(id);
  if (!a) throw ApiError(404, "not_found", "no automation '" + id + "'");
  return *a;
}

bool wants_wait(const Request& req) {
  auto w = req.query_or("wait", "0");
  return w == "1" || w == "true";
}

}  // namespace

void add_automation_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/automations", Access::needs(Permission::History), [&ctx](Request&) {
    json list = json::array();
    for (const auto& a : ctx.automations.list()) list.push_back(to_json(a));
    return Response::json(200, list);
  });

  router.add("POST", "/api/automations", Access::needs(Permission::AutomationsWrite), [&ctx](Request& req) {
    Automation a = parse_or_throw(req, ctx);
    a.id = new_id("auto");
    a.created_ms = a.updated_ms = now_ms();
    ctx.automations.insert(a);
    return Response::json(201, {{"id", a.id}, {"status", "created"}});
  });

  router.add("GET", "/api/automations/{id}", Access::needs(Permission::History), [&ctx](Request& req) {
    return Response::json(200, to_json(find_or_throw(ctx, req.params["id"])));
  });

  router.add("PUT", "/api/automations/{id}", Access::needs(Permission::AutomationsWrite), [&ctx](Request& req) {
    Automation existing = find_or_throw(ctx, req.params["id"]);
    Automation a = parse_or_throw(req, ctx);
    a.id = existing.id;
    a.created_ms = existing.created_ms;
    a.updated_ms = now_ms();
    if (!ctx.automations.update(a)) throw ApiError(404, "not_found", "no automation '" + a.id + "'");
    return Response::json(200, {{"status", "updated"}});
  });

  router.add("DELETE", "/api/automations/{id}", Access::needs(Permission::AutomationsWrite), [&ctx](Request& req) {
    if (!ctx.automations.remove(req.params["id"]))
      throw ApiError(404, "not_found", "no automation '" + req.params["id"] + "'");
    return Response::json(200, {{"status", "deleted"}});
  });

  router.add("POST", "/api/automations/{id}/run", Access::needs(Permission::Run), [&ctx](Request& req) {
    Automation a = find_or_throw(ctx, req.params["id"]);
    if (!a.enabled) throw ApiError(409, "automation_disabled", "automation '" + a.id + "' is disabled");
    RunRecord run;
    try {
      run = ctx.engine.submit(a, "manual", req.principal ? req.principal->name : "");
    } catch (const EngineStopped& e) {
      throw ApiError(503, "shutting_down", e.what());
    }
    if (!wants_wait(req)) return Response::json(200, {{"run_id", run.id}, {"status", run.status}});
    ctx.engine.wait(run.id, ctx.max_wait);
    // Still active after max_wait: answer with its live state; the client polls from there.
    if (auto live = ctx.engine.snapshot(run.id)) return Response::json(200, to_json(*live));
    auto stored = ctx.runs.get(run.id);
    return Response::json(200, to_json(stored ? *stored : run));
  });

  router.add("GET", "/api/automations/{id}/runs", Access::needs(Permission::History), [&ctx](Request& req) {
    Automation a = find_or_throw(ctx, req.params["id"]);
    int limit = 50, offset = 0;
    try {
      limit = std::stoi(req.query_or("limit", "50"));
      offset = std::stoi(req.query_or("offset", "0"));
    } catch (const std::exception&) {
      throw ApiError(400, "invalid_field", "limit and offset must be integers", "limit");
    }
    if (limit < 1 || limit > 500) throw ApiError(400, "invalid_field", "limit must be 1-500", "limit");
    if (offset < 0) throw ApiError(400, "invalid_field", "offset must be >= 0", "offset");
    json list = json::array();
    for (const auto& r : ctx.runs.list_for_automation(a.id, limit, offset)) list.push_back(to_json(r));
    return Response::json(200, {{"runs", list}, {"limit", limit}, {"offset", offset}});
  });
}

}  // namespace steward::api
