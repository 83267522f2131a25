// /api/automations/runs/{run_id} — a run's status and output, live while it runs (also
// when another daemon of the cluster runs it).
#include "api/routes/api_context.hpp"
#include "api/routes/route_helpers.hpp"

namespace steward::api {

using nlohmann::json;

json launch_json(const Launch& launch) {
  json j = {{"run_id", launch.run.id}, {"status", launch.run.status}};
  if (launch.approval) j["approval_id"] = launch.approval->id;
  return j;
}

std::optional<RunRecord> current_run(ApiContext& ctx, const std::string& run_id) {
  if (auto live = ctx.engine.snapshot(run_id)) return live;
  auto stored = ctx.runs.get(run_id);
  // Active on another daemon (a cluster): the store has its status but no output until it
  // ends; the output so far is in the relayed chunks, capped as the stored output will be.
  if (stored && ctx.run_output &&
      (stored->status == run_status::kRunning || stored->status == run_status::kQueued)) {
    auto so_far = ctx.run_output->so_far(run_id);
    stored->output = std::move(so_far.text);
    stored->output_truncated = so_far.truncated;
  }
  return stored;
}

json wait_for_run(ApiContext& ctx, const RunRecord& run) {
  // A held run cannot end until people decide; waiting for them would only tie up a thread.
  if (run.status != run_status::kPendingApproval)
    if (auto ended = ctx.engine.wait_result(run.id, ctx.max_wait)) return to_json(*ended);
  // Still active after max_wait (its live state; the client polls from there), or it ended
  // before we began to wait (the store has it).
  auto now = current_run(ctx, run.id);
  return to_json(now ? *now : run);
}

void add_run_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/automations/runs/{run_id}", Access::needs(Permission::History), [&ctx](Request& req) {
    const std::string& id = req.params["run_id"];
    auto run = current_run(ctx, id);
    if (!run) throw ApiError(404, "not_found", "no run '" + id + "'");
    return Response::json(200, to_json(*run));
  });

  router.add("POST", "/api/automations/runs/{run_id}/cancel", Access::needs(Permission::Run), [&ctx](Request& req) {
    const std::string& id = req.params["run_id"];
    if (ctx.engine.cancel(id, req.principal->name)) return Response::json(202, {{"run_id", id}, {"status", "cancelling"}});
    auto stored = ctx.runs.get(id);
    if (!stored) throw ApiError(404, "not_found", "no run '" + id + "'");
    if (stored->status == run_status::kPendingApproval)
      throw ApiError(409, "pending_approval", "run '" + id + "' waits for approval; reject its request instead");
    throw ApiError(409, "run_finished", "run '" + id + "' already ended as " + stored->status);
  });
}

}  // namespace steward::api
