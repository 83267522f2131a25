// /api/automations/runs/{run_id} — a run's status and output, live while it runs.
#include "api/routes/api_context.hpp"

namespace steward::api {

void add_run_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/automations/runs/{run_id}", Access::needs(Permission::History), [&ctx](Request& req) {
    const std::string& id = req.params["run_id"];
    if (auto live = ctx.engine.snapshot(id)) return Response::json(200, to_json(*live));
    auto stored = ctx.runs.get(id);
    if (!stored) throw ApiError(404, "not_found", "no run '" + id + "'");
    return Response::json(200, to_json(*stored));
  });

  router.add("POST", "/api/automations/runs/{run_id}/cancel", Access::needs(Permission::Run), [&ctx](Request& req) {
    const std::string& id = req.params["run_id"];
    if (ctx.engine.cancel(id, req.principal ? req.principal->name : "")) {
      return Response::json(202, {{"run_id", id}, {"status", "cancelling"}});
    }
    auto stored = ctx.runs.get(id);
    if (!stored) throw ApiError(404, "not_found", "no run '" + id + "'");
    throw ApiError(409, "run_finished", "run '" + id + "' already ended as " + stored->status);
  });
}

}  // namespace steward::api
