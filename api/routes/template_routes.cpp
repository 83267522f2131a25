// GET /api/automations/templates and POST …/templates/{template_id}/apply: the template
// library (templates/*.json, docs/templates.md). Files are read on each call, so a template
// added to the directory shows up without a restart.
#include "api/routes/api_context.hpp"
#include "api/routes/route_helpers.hpp"
#include "core/templates/template_library.hpp"
#include "core/util/log.hpp"

namespace steward::api {

using nlohmann::json;

namespace {

TemplateLoad load(ApiContext& ctx) {
  TemplateLoad loaded = load_templates(ctx.template_dir);
  for (const auto& e : loaded.errors) log(LogLevel::Warning, "templates", "skipped " + e);
  return loaded;
}

}  // namespace

void add_template_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/automations/templates", Access::needs(Permission::History), [&ctx](Request&) {
    json list = json::array();
    for (const auto& t : load(ctx).templates) list.push_back(template_summary(t));
    return Response::json(200, list);
  });

  router.add("POST", "/api/automations/templates/{template_id}/apply", Access::needs(Permission::AutomationsWrite),
             [&ctx](Request& req) {
    const std::string& id = req.params["template_id"];
    json body = req.body.empty() ? json::object() : req.json_object_body();
    for (const auto& [key, _] : body.items())
      if (key != "values" && key != "name") throw ApiError(400, "invalid_field", key + ": is not a known field", key);
    TemplateLoad loaded = load(ctx);
    auto t = std::find_if(loaded.templates.begin(), loaded.templates.end(), [&](const auto& x) { return x.id == id; });
    if (t == loaded.templates.end()) throw ApiError(404, "not_found", "no template '" + id + "'");
    json automation = valid_or_throw(render_template(*t, body.value("values", json::object())));
    if (body.contains("name")) {
      if (!body["name"].is_string()) throw ApiError(400, "invalid_field", "name: must be a string", "name");
      automation["name"] = body["name"];
    }
    NewAutomation n = prepare_automation(ctx, automation, false);
    std::string token = store_automation(ctx, n);
    reschedule(ctx, n.automation.id);
    json answer = created_answer(n, token);
    answer["template_id"] = id;
    return Response::json(201, answer);
  });
}

}  // namespace steward::api
