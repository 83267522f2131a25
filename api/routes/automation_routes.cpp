// /api/automations — seed 002's Automations API: list, create, get, update, delete, run.
#include "api/routes/api_context.hpp"
#include "api/routes/route_helpers.hpp"
#include "core/automations/automation_input.hpp"
#include "core/util/clock.hpp"
#include "core/util/ids.hpp"

namespace steward::api {

using nlohmann::json;

namespace {

Automation parse_or_throw(const json& body, ApiContext& ctx) {
  Automation a = valid_or_throw(automation_from_input(body, ctx.registry, ctx.default_timeout_s));
  check_target(ctx, a.target, "target");
  return a;
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

// The automation with its next scheduled fire (Unix seconds, or null) and its webhook
// (settings and token hint; never the token or the secret).
json with_next_fire(ApiContext& ctx, const Automation& a, const std::optional<Webhook>& hook) {
  json j = to_json(a);
  auto next = ctx.scheduler ? ctx.scheduler->next_fire_ms(a.id) : std::nullopt;
  j["next_fire"] = next ? json(*next / 1000) : json(nullptr);
  j["webhook"] = hook ? to_json(*hook) : json(nullptr);
  return j;
}

WebhookChange webhook_change_or_throw(const json& body, const std::optional<Webhook>& existing,
                                      bool imported = false) {
  WebhookChange change = valid_or_throw(webhook_change_from_input(body));
  // A webhook that demands signatures but has no key to check them with would refuse
  // every call: say so now rather than at the first delivery. An import is the
  // exception: exports leave secrets out, and a signed webhook must not come back
  // unsigned, so it stays closed until someone sets a secret.
  if (!imported && change.kind == WebhookChange::Kind::Set && change.settings.require_signature && !change.secret_given &&
      !(existing && existing->secret))
    throw ApiError(400, "invalid_field", "webhook.secret: is needed while require_signature is true", "webhook.secret");
  return change;
}

// Adds the token to a create/update answer when a webhook was just made (shown only now).
void add_token(json& answer, const std::string& token) {
  if (token.empty()) return;
  answer["webhook_token"] = token;
  answer["webhook_url"] = "/api/automations/webhook/" + token;
}

}  // namespace

void reschedule(ApiContext& ctx, const std::string& id) {
  if (ctx.scheduler) ctx.scheduler->refresh(id);
}

NewAutomation prepare_automation(ApiContext& ctx, const json& body, bool imported) {
  NewAutomation n{parse_or_throw(body, ctx), webhook_change_or_throw(body, std::nullopt, imported)};
  n.automation.id = new_id("auto");
  n.automation.created_ms = n.automation.updated_ms = now_ms();
  return n;
}

std::string store_automation(ApiContext& ctx, const NewAutomation& n) {
  std::string token = ctx.automations.database().transaction([&] {
    ctx.automations.insert(n.automation);
    return ctx.webhooks.apply(n.automation.id, n.webhook);
  });
  return token;
}

json created_answer(const NewAutomation& n, const std::string& token) {
  json answer = {{"id", n.automation.id}, {"status", "created"}};
  add_token(answer, token);
  return answer;
}

void add_automation_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/automations", Access::needs(Permission::History), [&ctx](Request&) {
    json list = json::array();
    auto hooks = ctx.webhooks.all();
    for (const auto& a : ctx.automations.list()) {
      auto hook = hooks.find(a.id);
      list.push_back(with_next_fire(ctx, a, hook == hooks.end() ? std::nullopt : std::optional<Webhook>(hook->second)));
    }
    return Response::json(200, list);
  });

  router.add("POST", "/api/automations", Access::needs(Permission::AutomationsWrite), [&ctx](Request& req) {
    NewAutomation n = prepare_automation(ctx, req.json_object_body(), false);
    std::string token = store_automation(ctx, n);
    reschedule(ctx, n.automation.id);
    return Response::json(201, created_answer(n, token));
  });

  router.add("GET", "/api/automations/{id}", Access::any({Permission::History, Permission::ScenarioHistory}),
             [&ctx](Request& req) {
    Automation a = find_or_throw(ctx, req.params["id"]);
    return Response::json(200, with_next_fire(ctx, a, ctx.webhooks.get(a.id)));
  });

  router.add("PUT", "/api/automations/{id}", Access::needs(Permission::AutomationsWrite), [&ctx](Request& req) {
    Automation existing = find_or_throw(ctx, req.params["id"]);
    json body = req.json_object_body();
    Automation a = parse_or_throw(body, ctx);
    WebhookChange change = webhook_change_or_throw(body, ctx.webhooks.get(existing.id));
    a.id = existing.id;
    a.created_ms = existing.created_ms;
    a.updated_ms = now_ms();
    std::string token = ctx.automations.database().transaction([&] {
      if (!ctx.automations.update(a)) throw ApiError(404, "not_found", "no automation '" + a.id + "'");
      return ctx.webhooks.apply(a.id, change);
    });
    reschedule(ctx, a.id);
    json answer = {{"status", "updated"}};
    add_token(answer, token);
    return Response::json(200, answer);
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
