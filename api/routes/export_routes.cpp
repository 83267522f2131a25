// GET /api/automations/export and POST /api/automations/import: every automation as a JSON
// array of create bodies (no secrets, no webhook tokens), and back. An import checks every
// element before it writes any, then writes them all in one transaction.
#include "api/routes/api_context.hpp"
#include "api/routes/route_helpers.hpp"

namespace steward::api {

using nlohmann::json;

namespace {

// The create body that makes this automation again (plus its id, for reference).
json exported(const Automation& a, const std::optional<Webhook>& hook) {
  json j = {{"id", a.id},           {"name", a.name},       {"type", a.type},
            {"params", a.params},   {"target", a.target},   {"enabled", a.enabled},
            {"timeout", a.timeout_s}, {"tags", a.tags},     {"timezone", a.timezone},
            {"catch_up", a.catch_up}, {"concurrency", a.concurrency}, {"on_daemon_loss", a.on_daemon_loss}};
  if (!a.icon.empty()) j["icon"] = a.icon;
  if (!a.description.empty()) j["description"] = a.description;
  if (a.schedule) j["schedule"] = *a.schedule;
  if (a.approval) j["approval"] = to_json(*a.approval);
  if (hook) j["webhook"] = to_json(hook->settings);
  return j;
}

}  // namespace

void add_export_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/automations/export", Access::needs(Permission::History), [&ctx](Request&) {
    json list = json::array();
    auto hooks = ctx.webhooks.all();
    for (const auto& a : ctx.automations.list()) {
      auto hook = hooks.find(a.id);
      list.push_back(exported(a, hook == hooks.end() ? std::nullopt : std::optional<Webhook>(hook->second)));
    }
    Response r = Response::json(200, list);
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"steward-automations.json\"");
    return r;
  });

  router.add("POST", "/api/automations/import", Access::needs(Permission::AutomationsWrite), [&ctx](Request& req) {
    json list = req.json_body();
    if (!list.is_array()) throw ApiError(400, "invalid_body", "the body must be a JSON array of automations (an export)");
    std::vector<NewAutomation> prepared;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string where = "[" + std::to_string(i) + "]";
      json item = list[i];
      if (!item.is_object()) throw ApiError(400, "invalid_field", where + ": must be an object", where);
      item.erase("id");  // ids are new on import
      try {
        prepared.push_back(prepare_automation(ctx, item, true));
        // Lists are ordered by creation time: one millisecond apart keeps the file's order.
        prepared.back().automation.created_ms += static_cast<std::int64_t>(i);
        prepared.back().automation.updated_ms = prepared.back().automation.created_ms;
      } catch (const ApiError& e) {
        throw ApiError(e.status, e.code, where + "." + e.what(), where + (e.field.empty() ? "" : "." + e.field));
      }
    }
    json webhooks = json::array();
    ctx.automations.database().transaction([&] {
      for (const auto& n : prepared) {
        std::string token = store_automation(ctx, n);
        if (!token.empty())
          webhooks.push_back({{"id", n.automation.id}, {"name", n.automation.name}, {"webhook_token", token}});
      }
    });
    for (const auto& n : prepared) reschedule(ctx, n.automation.id);
    return Response::json(200, {{"imported", prepared.size()}, {"webhooks", webhooks}});
  });
}

}  // namespace steward::api
