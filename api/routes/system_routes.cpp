#include "api/routes/api_context.hpp"

namespace steward::api {

using nlohmann::json;

void add_system_routes(Router& router, ApiContext& ctx) {
  // Liveness for load balancers and scripts: public, cheap, touches no store.
  router.add("GET", "/health", Access::open(), [&ctx](Request&) {
    return Response::json(200, {{"status", "ok"}, {"version", ctx.version}});
  });

  router.add("GET", "/api/plugins", Access::needs(Permission::History), [&ctx](Request&) {
    json list = json::array();
    for (const auto& info : ctx.registry.plugins()) list.push_back(to_json(info));
    return Response::json(200, {{"plugins", list}});
  });
}

}  // namespace steward::api
