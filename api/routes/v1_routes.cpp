// /api/v1 — seed 000's surface. A scenario is an automation; an action proposal is an
// approval request of kind "proposal" (the same queue as /api/approvals).
#include "api/routes/api_context.hpp"
#include "api/routes/route_helpers.hpp"
#include "core/util/clock.hpp"
#include "core/util/ids.hpp"

namespace steward::api {

using nlohmann::json;

ApprovalRequest decide_or_throw(ApiContext& ctx, const std::string& id, const Request& req, bool approve,
                                const std::optional<std::string>& only_kind);
std::optional<std::string> status_filter(const Request& req, const std::string& fallback);

namespace {

// A tool call from a request body: the tool must be loaded and args must fit its schema.
Step tool_step(ApiContext& ctx, const json& c, const std::string& where) {
  if (!c.is_object()) throw ApiError(400, "invalid_field", where + ": must be an object", where);
  if (!c.contains("tool") || !c["tool"].is_string())
    throw ApiError(400, "invalid_field", where + ".tool: is required", where + ".tool");
  Step step;
  step.tool = c["tool"];
  const Plugin* tool = ctx.registry.tool(step.tool);
  if (!tool) throw ApiError(400, "invalid_field", where + ".tool: no tool '" + step.tool + "' is loaded", where + ".tool");
  step.args = c.value("args", json::object());
  if (auto err = validate_json(tool->schema(), step.args, where + ".args"))
    throw ApiError(400, "invalid_field", err->text(), err->path);
  if (c.contains("target")) {
    // Where the command runs, as for an automation: local, auto, device:ID or group:ID.
    if (!c["target"].is_string())
      throw ApiError(400, "invalid_field", where + ".target: must be a string", where + ".target");
    step.target = c["target"];
    check_target(ctx, step.target, where + ".target");
  }
  return step;
}

std::int64_t int_field(const json& body, const std::string& name, std::int64_t fallback, std::int64_t min, std::int64_t max) {
  if (!body.contains(name)) return fallback;
  if (!body[name].is_number_integer() || body[name].get<std::int64_t>() < min || body[name].get<std::int64_t>() > max)
    throw ApiError(400, "invalid_field",
                   name + ": must be an integer from " + std::to_string(min) + " to " + std::to_string(max), name);
  return body[name].get<std::int64_t>();
}

ProposalInput proposal_input(ApiContext& ctx, const json& body) {
  for (const auto& [key, _] : body.items())
    if (key != "title" && key != "description" && key != "commands" && key != "approvers" && key != "min_approvals" &&
        key != "expires_in" && key != "timeout")
      throw ApiError(400, "invalid_field", key + ": is not a known field", key);
  ProposalInput in;
  if (!body.contains("title") || !body["title"].is_string() || body["title"].get<std::string>().empty() ||
      body["title"].get<std::string>().size() > 200)
    throw ApiError(400, "invalid_field", "title: a string of 1-200 characters is required", "title");
  in.title = body["title"];
  if (body.contains("description")) {
    if (!body["description"].is_string()) throw ApiError(400, "invalid_field", "description: must be a string", "description");
    in.description = body["description"];
  }
  if (!body.contains("commands") || !body["commands"].is_array() || body["commands"].empty() || body["commands"].size() > 50)
    throw ApiError(400, "invalid_field", "commands: an array of 1-50 tool calls is required", "commands");
  for (size_t i = 0; i < body["commands"].size(); ++i)
    in.steps.push_back(tool_step(ctx, body["commands"][i], "commands[" + std::to_string(i) + "]"));
  if (body.contains("approvers")) {
    if (!body["approvers"].is_array()) throw ApiError(400, "invalid_field", "approvers: must be an array of key names", "approvers");
    for (const auto& a : body["approvers"]) {
      if (!a.is_string() || a.get<std::string>().empty())
        throw ApiError(400, "invalid_field", "approvers: must be an array of key names", "approvers");
      in.approvers.push_back(a);
    }
  }
  in.min_approvals = static_cast<int>(int_field(body, "min_approvals", 1, 1, 50));
  if (!in.approvers.empty() && static_cast<size_t>(in.min_approvals) > in.approvers.size())
    throw ApiError(400, "invalid_field", "min_approvals: must not exceed the number of approvers", "min_approvals");
  in.expires_in_s = int_field(body, "expires_in", 86400, 1, 2592000);
  in.timeout_s = int_field(body, "timeout", ctx.default_timeout_s, 1, 604800);
  return in;
}

Response one_off_run(ApiContext& ctx, Request& req) {
  json body = req.json_object_body();
  Step step;
  if (body.contains("prompt")) {
    if (!body["prompt"].is_string() || body["prompt"].get<std::string>().empty())
      throw ApiError(400, "invalid_field", "prompt: a non-empty string is required", "prompt");
    if (!ctx.registry.tool("llm"))
      throw ApiError(501, "not_implemented",
                     "prompts go to the llm tool, and no llm plugin is loaded; use {\"tool\", \"args\"} or load an llm plugin");
    json call = {{"tool", "llm"}, {"args", {{"prompt", body["prompt"]}}}};
    step = tool_step(ctx, call, "body");
  } else if (body.contains("tool")) {
    step = tool_step(ctx, body, "body");
  } else {
    throw ApiError(400, "invalid_field", "body: either {\"prompt\"} or {\"tool\", \"args\"} is required", "tool");
  }
  RunRecord run = new_run("", "api", req.principal->name);
  try {
    run = ctx.engine.start(run, {step}, int_field(body, "timeout", ctx.default_timeout_s, 1, 604800));
  } catch (const EngineStopped& e) {
    throw ApiError(503, "shutting_down", e.what());
  }
  // This route waits unless told not to (seed 000: the answer carries the result).
  const std::string wait = req.query_or("wait", "1");
  if (wait == "0" || wait == "false") return Response::json(200, {{"run_id", run.id}, {"status", run.status}});
  return Response::json(200, wait_for_run(ctx, run));
}

}  // namespace

void add_v1_routes(Router& router, ApiContext& ctx) {
  router.add("POST", "/api/v1/run", Access::needs(Permission::Run), [&ctx](Request& req) { return one_off_run(ctx, req); });

  router.add("POST", "/api/v1/scenarios/{id}/run", Access::any({Permission::ScenarioRun, Permission::Run}),
             [&ctx](Request& req) {
               Launch launch = launch_or_throw(ctx, req.params["id"], "api", *req.principal);
               if (!wants_wait(req)) return Response::json(200, launch_json(launch));
               return Response::json(200, wait_for_run(ctx, launch.run));
             });

  router.add("GET", "/api/v1/scenarios/{id}/history", Access::any({Permission::ScenarioHistory, Permission::History}),
             [&ctx](Request& req) {
               const std::string& id = req.params["id"];
               if (!ctx.automations.get(id)) throw ApiError(404, "not_found", "no scenario '" + id + "'");
               auto [limit, offset] = paging(req, 50, 500);
               json runs = json::array();
               for (const auto& r : ctx.runs.list_for_automation(id, limit, offset)) runs.push_back(to_json(r));
               return Response::json(200, {{"scenario_id", id}, {"runs", runs}, {"limit", limit}, {"offset", offset}});
             });

  router.add("POST", "/api/v1/act/proposals", Access::needs(Permission::ActCreate), [&ctx](Request& req) {
    auto in = proposal_input(ctx, req.json_object_body());
    return Response::json(201, to_proposal_json(ctx.approvals.propose(in, req.principal->name), true));
  });

  router.add("GET", "/api/v1/act/proposals", Access::needs(Permission::ActRead), [&ctx](Request& req) {
    ApprovalFilter f;
    f.kind = "proposal";
    f.status = status_filter(req, "all");
    if (auto s = req.query.find("since"); s != req.query.end()) f.since_ms = parse_time_ms(s->second, "since");
    std::tie(f.limit, f.offset) = paging(req, 100, 1000);
    std::string include = req.query_or("include", "");
    if (!include.empty() && include != "commands")
      throw ApiError(400, "invalid_field", "include may only be 'commands'", "include");
    json list = json::array();
    for (const auto& r : ctx.approvals.list(f)) list.push_back(to_proposal_json(r, include == "commands"));
    return Response::json(200, {{"proposals", list}});
  });

  router.add("GET", "/api/v1/act/proposals/{id}", Access::needs(Permission::ActRead), [&ctx](Request& req) {
    auto r = ctx.approvals.get(req.params["id"]);
    if (!r || r->kind != "proposal") throw ApiError(404, "not_found", "no action proposal '" + req.params["id"] + "'");
    std::string include = req.query_or("include", "");
    if (!include.empty() && include != "commands")
      throw ApiError(400, "invalid_field", "include may only be 'commands'", "include");
    return Response::json(200, to_proposal_json(*r, include == "commands"));
  });

  for (bool approve : {true, false}) {
    router.add("POST", std::string("/api/v1/act/proposals/{id}/") + (approve ? "approve" : "reject"),
               Access::needs(Permission::ActApprove), [&ctx, approve](Request& req) {
                 auto r = decide_or_throw(ctx, req.params["id"], req, approve, std::string("proposal"));
                 return Response::json(200, to_proposal_json(r, true));
               });
  }
}

}  // namespace steward::api
