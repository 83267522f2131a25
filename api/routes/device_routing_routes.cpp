// /api/devices/routing — which device runs a tool when a run does not name one: the
// preferences, every known tool's current decision, and one decision explained step by
// step (core/devices/routing.hpp). These literal paths beat /api/devices/{id} in the router.
#include <algorithm>
#include <set>

#include "api/routes/api_context.hpp"
#include "api/routes/device_route_helpers.hpp"
#include "api/routes/route_helpers.hpp"
#include "core/util/clock.hpp"

namespace steward::api {

using nlohmann::json;

namespace {

void check_tool_name(const std::string& tool) {
  if (tool.empty() || tool.size() > 100)
    throw ApiError(400, "invalid_field", "tool must be a tool name of 1 to 100 characters", "tool");
}

json explained(DeviceApi& api, const std::string& tool) {
  json j = to_json(api.routing.decide(tool));
  j["tool"] = tool;
  return j;
}

}  // namespace

void add_device_routing_routes(Router& router, ApiContext& ctx) {
  const Access read = Access::any({Permission::DevicesRead, Permission::History});
  const Access write = Access::needs(Permission::DevicesWrite);

  router.add("GET", "/api/devices/routing", read, [&ctx](Request&) {
    DeviceApi& api = devices_of(ctx);
    json prefs = json::array();
    std::set<std::string> tools;
    for (const auto& p : api.routing.preferences()) {
      prefs.push_back(to_json(p));
      tools.insert(p.tool);
    }
    for (const auto& t : ctx.registry.tool_names()) tools.insert(t);
    for (const auto& d : api.store.list("", 100000, 0))
      for (const auto& c : d.capabilities)
        if (c.is_string()) tools.insert(c.get<std::string>());
    json decisions = json::object();
    for (const auto& t : tools) decisions[t] = to_json(api.routing.decide(t));
    return Response::json(200, {{"preferences", prefs}, {"tools", decisions}});
  });

  router.add("GET", "/api/devices/routing/explain", read, [&ctx](Request& req) {
    DeviceApi& api = devices_of(ctx);
    std::string tool = req.query_or("tool", "");
    if (tool.empty()) throw ApiError(400, "invalid_field", "give the tool to explain: ?tool=NAME", "tool");
    check_tool_name(tool);
    return Response::json(200, explained(api, tool));
  });

  router.add("PUT", "/api/devices/routing/preferences/{tool}", write, [&ctx](Request& req) {
    DeviceApi& api = devices_of(ctx);
    const std::string& tool = req.params["tool"];
    check_tool_name(tool);
    json body = req.json_object_body();
    reject_unknown_fields(body, {"device_id", "fallback"});
    if (!body.contains("device_id") || !body["device_id"].is_string())
      throw ApiError(400, "invalid_field", "device_id is required and must be a string", "device_id");
    RoutingPreference p;
    p.tool = tool;
    p.device_id = body["device_id"];
    if (body.contains("fallback")) {
      const json& f = body["fallback"];
      if (!f.is_string() || (f != "local" && f != "any" && f != "none"))
        throw ApiError(400, "invalid_field", "fallback must be local, any or none", "fallback");
      p.fallback = f;
    }
    auto d = api.store.get(p.device_id);
    if (!d) throw ApiError(404, "not_found", "no device '" + p.device_id + "'");
    bool capable = d->capabilities.is_array() &&
                   std::any_of(d->capabilities.begin(), d->capabilities.end(),
                               [&](const json& c) { return c.is_string() && c.get<std::string>() == tool; });
    if (!capable) {
      std::string has;
      for (const auto& c : d->capabilities)
        if (c.is_string()) has += (has.empty() ? "" : ", ") + c.get<std::string>();
      throw ApiError(400, "tool_not_on_device",
                     "device '" + d->id + "' (" + d->name + ") does not list the tool '" + tool +
                         "' in its capabilities (it has: " + (has.empty() ? "none yet" : has) +
                         "); the agent must load that plugin and reconnect first",
                     "device_id");
    }
    p.updated_ms = now_ms();
    p.updated_by = caller_name(req);
    api.routing.set_preference(p);
    json j = to_json(p);
    j["decision"] = to_json(api.routing.decide(tool));
    return Response::json(200, j);
  });

  router.add("DELETE", "/api/devices/routing/preferences/{tool}", write, [&ctx](Request& req) {
    DeviceApi& api = devices_of(ctx);
    const std::string& tool = req.params["tool"];
    if (!api.routing.clear_preference(tool))
      throw ApiError(404, "not_found", "no routing preference for the tool '" + tool + "'");
    Response r;
    r.status = 204;
    return r;
  });
}

}  // namespace steward::api
