// Running tools on devices: execute (sync up to the timeout, or queued while the device is
// offline), the executions list, the per-device command queue, group execute, and the
// remote-session routes (501: docs/devices.md, "Remote sessions"). The live side is the
// hub (core/devices/device_hub.hpp).
#include <algorithm>

#include "api/routes/api_context.hpp"
#include "api/routes/device_route_helpers.hpp"
#include "api/routes/route_helpers.hpp"
#include "core/devices/device_hub.hpp"
#include "core/devices/execution_store.hpp"
#include "core/devices/transfer.hpp"
#include "core/util/clock.hpp"

namespace steward::api {

using nlohmann::json;

namespace {

// {"tool", "args"?, "timeout"?, "queue"?, "queue_expires_in"?}: the seed's execute body
// plus how to treat an offline device.
struct ExecuteBody {
  std::string tool;
  json args = json::object();
  std::int64_t timeout_s = 60;
  bool queue = true;
  std::int64_t queue_expiry_s = 3600;
};

ExecuteBody parse_execute(const Request& req, bool allow_queue) {
  json body = req.json_object_body();
  ExecuteBody b;
  for (const auto& [key, value] : body.items()) {
    if (key == "tool") {
      if (!value.is_string() || value.get<std::string>().empty())
        throw ApiError(400, "invalid_field", "tool: must be a tool name", "tool");
      b.tool = value.get<std::string>();
    } else if (key == "args") {
      if (!value.is_object()) throw ApiError(400, "invalid_field", "args: must be an object", "args");
      b.args = value;
    } else if (key == "timeout") {
      if (!value.is_number_integer() || value.get<std::int64_t>() < 1 || value.get<std::int64_t>() > 86400)
        throw ApiError(400, "invalid_field", "timeout: must be an integer between 1 and 86400 (seconds)", "timeout");
      b.timeout_s = value.get<std::int64_t>();
    } else if (allow_queue && key == "queue") {
      if (!value.is_boolean()) throw ApiError(400, "invalid_field", "queue: must be true or false", "queue");
      b.queue = value.get<bool>();
    } else if (allow_queue && key == "queue_expires_in") {
      if (!value.is_number_integer() || value.get<std::int64_t>() < 1 || value.get<std::int64_t>() > 30 * 86400)
        throw ApiError(400, "invalid_field", "queue_expires_in: must be between 1 and 2592000 seconds",
                       "queue_expires_in");
      b.queue_expiry_s = value.get<std::int64_t>();
    } else {
      throw ApiError(400, "invalid_field", key + ": is not a known field", key);
    }
  }
  if (b.tool.empty()) throw ApiError(400, "invalid_field", "tool: is required", "tool");
  return b;
}


}  // namespace

void add_device_exec_routes(Router& router, ApiContext& ctx) {
  router.add("POST", "/api/devices/{id}/execute", Access::needs(Permission::Run), [&ctx](Request& req) {
    DeviceApi& d = devices_with_hub(ctx);
    ExecuteBody b = parse_execute(req, true);
    ExecuteRequest r;
    r.device_id = req.params["id"];
    r.tool = b.tool;
    r.args = b.args;
    r.timeout_s = b.timeout_s;
    r.requested_by = caller_name(req);
    r.queue_if_offline = b.queue;
    r.queue_expiry_s = b.queue_expiry_s;
    std::shared_ptr<ExecutionHandle> handle;
    try {
      handle = d.hub->execute(r);
    } catch (const ExecuteRefused& e) {
      throw ApiError(e.status, e.code, e.what());
    }
    DeviceExecution e = handle->snapshot();
    ctx.audit.append(caller_name(req), "device.execute", r.device_id, e.status, e.id + " " + r.tool);
    if (e.status == execution_status::kQueued) return Response::json(202, to_json(e));
    // Synchronous up to the timeout; the hub ends it by then (timeout + its grace) at the latest.
    auto ended = handle->wait(std::chrono::seconds(b.timeout_s + d.hub->options().answer_grace_s + 2));
    return Response::json(200, to_json(ended ? *ended : handle->snapshot()));
  });

  router.add("GET", "/api/devices/{id}/executions", Access::any({Permission::DevicesRead, Permission::History}),
             [&ctx](Request& req) {
    DeviceApi& d = devices_with_hub(ctx);
    Device device = device_or_throw(d, req.params["id"]);
    auto [limit, offset] = paging(req, 50, 500);
    json list = json::array();
    for (const auto& e : d.executions->list(device.id, limit, offset)) {
      // A running one shows its live output.
      if (e.status == execution_status::kRunning)
        if (auto live = d.hub->running(e.id)) {
          list.push_back(to_json(live->snapshot()));
          continue;
        }
      list.push_back(to_json(e));
    }
    return Response::json(200, {{"executions", list}, {"total", d.executions->count(device.id)},
                                {"limit", limit}, {"offset", offset}});
  });

  router.add("GET", "/api/devices/{id}/executions/{execution_id}",
             Access::any({Permission::DevicesRead, Permission::History}), [&ctx](Request& req) {
    DeviceApi& d = devices_with_hub(ctx);
    auto e = d.executions->get(req.params["execution_id"]);
    if (!e || e->device_id != req.params["id"])
      throw ApiError(404, "not_found", "no execution " + req.params["execution_id"] + " on device " + req.params["id"]);
    if (auto live = d.hub->running(e->id)) return Response::json(200, to_json(live->snapshot()));
    return Response::json(200, to_json(*e));
  });

  router.add("GET", "/api/devices/{id}/queue", Access::any({Permission::DevicesRead, Permission::History}),
             [&ctx](Request& req) {
    DeviceApi& d = devices_with_hub(ctx);
    Device device = device_or_throw(d, req.params["id"]);
    d.executions->expire_due(now_ms());
    json list = json::array();
    for (const auto& e : d.executions->queued(device.id)) list.push_back(to_json(e));
    return Response::json(200, {{"device_id", device.id}, {"queue", list}, {"total", list.size()}});
  });

  router.add("DELETE", "/api/devices/{id}/queue", Access::needs(Permission::DevicesWrite), [&ctx](Request& req) {
    DeviceApi& d = devices_with_hub(ctx);
    Device device = device_or_throw(d, req.params["id"]);
    d.executions->expire_due(now_ms());  // a command past its expiry ends `expired`, not `cancelled`
    int n = d.executions->clear_queue(device.id, caller_name(req));
    ctx.audit.append(caller_name(req), "device.queue.clear", device.id, "ok", std::to_string(n) + " cancelled");
    return Response::json(200, {{"device_id", device.id}, {"cancelled", n}});
  });

  router.add("DELETE", "/api/devices/{id}/queue/{command_id}", Access::needs(Permission::DevicesWrite),
             [&ctx](Request& req) {
    DeviceApi& d = devices_with_hub(ctx);
    Device device = device_or_throw(d, req.params["id"]);
    const std::string& command = req.params["command_id"];
    d.executions->expire_due(now_ms());
    if (!d.executions->cancel_queued(device.id, command, caller_name(req))) {
      auto e = d.executions->get(command);
      if (!e || e->device_id != device.id)
        throw ApiError(404, "not_found", "no command " + command + " on device " + device.id);
      throw ApiError(409, "not_queued", "command " + command + " is " + e->status + ", not queued");
    }
    ctx.audit.append(caller_name(req), "device.queue.cancel", device.id, "ok", command);
    return Response::json(200, to_json(*d.executions->get(command)));
  });

  router.add("POST", "/api/device-groups/{id}/execute", Access::needs(Permission::Run), [&ctx](Request& req) {
    DeviceApi& d = devices_with_hub(ctx);
    auto group = d.groups.get(req.params["id"]);
    if (!group) throw ApiError(404, "not_found", "no device group with id " + req.params["id"]);
    ExecuteBody b = parse_execute(req, false);

    // Every online, approved member that has the tool runs it at once; the others are
    // listed with the reason they did not.
    json results = json::array();
    std::vector<ExecuteRequest> requests;
    std::vector<std::size_t> slot;  // results index of each request
    for (const auto& id : group->members) {
      auto device = d.store.get(id);
      json r = {{"device_id", id}, {"name", device ? device->name : ""}};
      std::string skip = d.hub->why_not_runnable(device, b.tool);
      if (!skip.empty()) {
        r["status"] = skip == "offline" ? "offline" : "skipped";
        if (skip != "offline") r["reason"] = skip;
        results.push_back(r);
        continue;
      }
      ExecuteRequest x;
      x.device_id = id;
      x.tool = b.tool;
      x.args = b.args;
      x.timeout_s = b.timeout_s;
      x.source = "group:" + group->id;
      x.requested_by = caller_name(req);
      requests.push_back(std::move(x));
      slot.push_back(results.size());
      results.push_back(r);
    }
    auto handles = d.hub->execute_all(requests);
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::seconds(b.timeout_s + d.hub->options().answer_grace_s + 2);
    json summary = {{"total", group->members.size()}, {"completed", 0}, {"failed", 0}, {"offline", 0}, {"skipped", 0}};
    for (std::size_t i = 0; i < handles.size(); ++i) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      auto ended = handles[i]->wait(std::max(left, std::chrono::milliseconds(0)));
      json e = to_json(ended ? *ended : handles[i]->snapshot());
      e["name"] = results[slot[i]]["name"];
      results[slot[i]] = e;
    }
    for (const auto& r : results) {
      std::string s = r.value("status", "");
      if (s == "completed") summary["completed"] = summary["completed"].get<int>() + 1;
      else if (s == "offline") summary["offline"] = summary["offline"].get<int>() + 1;
      else if (s == "skipped") summary["skipped"] = summary["skipped"].get<int>() + 1;
      else summary["failed"] = summary["failed"].get<int>() + 1;
    }
    ctx.audit.append(caller_name(req), "device_group.execute", group->id, "ok",
                     b.tool + " on " + std::to_string(handles.size()) + " device(s)");
    return Response::json(200, {{"group_id", group->id}, {"tool", b.tool}, {"results", results}, {"summary", summary}});
  });

  router.add("GET", "/api/devices/{id}/transfers", Access::any({Permission::DevicesRead, Permission::History}),
             [&ctx](Request& req) {
    DeviceApi& d = devices_with_hub(ctx);
    Device device = device_or_throw(d, req.params["id"]);
    if (!d.transfer_store) throw ApiError(503, "devices_unavailable", "this daemon does no transfers");
    auto [limit, offset] = paging(req, 50, 500);
    json list = json::array();
    for (const auto& t : d.transfer_store->list(device.id, limit, offset)) list.push_back(to_json(t));
    return Response::json(200, {{"transfers", list}, {"total", d.transfer_store->count(device.id)}});
  });

  // {"direction": "push" | "pull", "local_path", "remote_path"}: 202 with the transfer,
  // which goes on in the background; GET …/transfers shows its progress.
  router.add("POST", "/api/devices/{id}/transfers", Access::needs(Permission::Run), [&ctx](Request& req) {
    DeviceApi& d = devices_with_hub(ctx);
    if (!d.transfers) throw ApiError(503, "devices_unavailable", "this daemon does no transfers");
    json body = req.json_object_body();
    std::string fields[3];
    const char* names[3] = {"direction", "local_path", "remote_path"};
    for (const auto& [key, value] : body.items()) {
      int i = 0;
      while (i < 3 && key != names[i]) ++i;
      if (i == 3) throw ApiError(400, "invalid_field", key + ": is not a known field", key);
      if (!value.is_string() || value.get<std::string>().empty())
        throw ApiError(400, "invalid_field", key + ": must be a non-empty string", key);
      fields[i] = value.get<std::string>();
    }
    for (int i = 0; i < 3; ++i)
      if (fields[i].empty()) throw ApiError(400, "invalid_field", std::string(names[i]) + ": is required", names[i]);
    if (fields[0] != "push" && fields[0] != "pull")
      throw ApiError(400, "invalid_field", "direction: must be push (to the device) or pull (from it)", "direction");
    try {
      Transfer t = d.transfers->start(req.params["id"], fields[0], fields[1], fields[2], caller_name(req));
      ctx.audit.append(caller_name(req), "device.transfer", t.device_id, "started",
                       t.id + " " + t.direction + " " + t.local_path + " " + t.remote_path);
      return Response::json(202, to_json(t));
    } catch (const ExecuteRefused& e) {
      throw ApiError(e.status, e.code, e.what());
    }
  });

  // Interactive shells are refused on purpose: docs/devices.md, "Remote sessions".
  for (const char* path : {"/api/devices/{id}/remote/start", "/api/devices/{id}/remote/stop"}) {
    router.add("POST", path, Access::needs(Permission::DevicesWrite), [&ctx](Request& req) -> Response {
      DeviceApi& d = devices_with_hub(ctx);
      device_or_throw(d, req.params["id"]);
      throw ApiError(501, "not_implemented",
                     "remote interactive sessions are not offered: a shell streamed over the device connection "
                     "would bypass the approval gate, maintenance windows and the per-command audit trail. Use "
                     "POST /api/devices/{id}/execute (docs/devices.md, Remote sessions)");
    });
  }
}

}  // namespace steward::api
