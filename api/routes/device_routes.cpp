// /api/devices — seed 001's device records: list, details, rename/metadata, delete,
// capabilities, health; pairing (code + public claim); approve, block, revoke-token; and
// seed 000's GET /api/v1/devices/list. Live connections are the hub's (DevicePresence);
// executions, queue and transfers are device_exec_routes.cpp's.
#include <algorithm>
#include <cctype>
#include <set>

#include "api/routes/api_context.hpp"
#include "api/routes/device_route_helpers.hpp"
#include "api/routes/route_helpers.hpp"
#include "core/devices/execution_store.hpp"
#include "core/util/clock.hpp"

namespace steward::api {

using nlohmann::json;

namespace {


// An optional string field of at most `max` characters; nullopt when absent.
std::optional<std::string> string_field(const json& body, const std::string& name, std::size_t min, std::size_t max) {
  if (!body.contains(name)) return std::nullopt;
  const json& v = body[name];
  if (!v.is_string()) throw ApiError(400, "invalid_field", name + " must be a string", name);
  std::string s = v.get<std::string>();
  if (s.size() < min || s.size() > max)
    throw ApiError(400, "invalid_field",
                   name + " must be " + std::to_string(min) + " to " + std::to_string(max) + " characters", name);
  return s;
}

int history_minutes(const Request& req) { return query_int(req, "minutes", 60, 1, 1440); }
std::int64_t minutes_ago_ms(int minutes) { return now_ms() - std::int64_t{minutes} * 60 * 1000; }

// ?ids=device_a,device_b: 1 to 100 device ids (a page of the device list).
constexpr std::size_t kMaxHistoryIds = 100;
std::vector<std::string> history_ids(const Request& req) {
  std::vector<std::string> ids;
  const std::string text = req.query_or("ids", "");
  for (std::size_t start = 0; !text.empty();) {
    const std::size_t comma = text.find(',', start);
    std::string id = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (id.empty()) throw ApiError(400, "invalid_field", "ids: device ids separated by commas, none empty", "ids");
    ids.push_back(std::move(id));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (ids.empty() || ids.size() > kMaxHistoryIds)
    throw ApiError(400, "invalid_field", "ids: 1 to " + std::to_string(kMaxHistoryIds) + " device ids are required", "ids");
  return ids;
}

json list_answer(ApiContext& ctx, const Request& req) {
  DeviceApi& api = devices_of(ctx);
  std::string status = req.query_or("status", "");
  if (!status.empty() && !device_status::valid(status))
    throw ApiError(400, "invalid_field", "status must be approved, pending, blocked or revoked, got '" + status + "'",
                   "status");
  auto [limit, offset] = paging(req, 100, 1000);
  // One read of who is online (here or held by another daemon), not one per device.
  std::vector<std::string> ids = api.presence.online_ids();
  std::set<std::string> online(ids.begin(), ids.end());
  json list = json::array();
  for (const auto& d : api.store.list(status, limit, offset)) list.push_back(to_json(d, online.count(d.id) > 0));
  return {{"devices", list}, {"total", api.store.count(status)}};
}

json detail(DeviceApi& api, const Device& d) {
  json j = to_json(d, api.presence.online(d.id));
  j["tools"] = d.tools;
  j["health"] = health_json(d);
  j["groups"] = api.groups.groups_of(d.id);
  // The seed's "execution history": the ten newest, output left out (GET …/executions has it).
  json recent = json::array();
  if (api.executions)
    for (const auto& e : api.executions->list(d.id, 10, 0)) {
      json x = to_json(e);
      x.erase("output");
      x.erase("args");
      recent.push_back(std::move(x));
    }
  j["recent_executions"] = recent;
  return j;
}

// The host part of the Host header the agent used to reach us (it reaches the device
// port at the same host); the bind address when absent or not a plain host name.
std::string ws_host(const Request& req) {
  std::string host = req.header("host").value_or("");
  if (!host.empty() && host.front() == '[') {
    auto end = host.find(']');
    host = end == std::string::npos ? "" : host.substr(0, end + 1);
  } else if (auto colon = host.find(':'); colon != std::string::npos) {
    host = host.substr(0, colon);
  }
  bool plain = !host.empty() && host.size() <= 253 && std::all_of(host.begin(), host.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
  });
  return plain ? host : "127.0.0.1";
}

Response claim(ApiContext& ctx, Request& req) {
  DeviceApi& api = devices_of(ctx);
  json body = req.json_object_body();
  reject_unknown_fields(body, {"code", "name", "platform", "architecture", "os_version", "agent_version", "hostname"});
  if (!body.contains("code")) throw ApiError(400, "invalid_field", "code is required", "code");
  PairingClaim c;
  c.code = *string_field(body, "code", 0, 64);
  c.name = string_field(body, "name", 0, 100).value_or("");
  c.hello.platform = string_field(body, "platform", 0, 200).value_or("");
  c.hello.architecture = string_field(body, "architecture", 0, 200).value_or("");
  c.hello.os_version = string_field(body, "os_version", 0, 200).value_or("");
  c.hello.agent_version = string_field(body, "agent_version", 0, 200).value_or("");
  c.hello.hostname = string_field(body, "hostname", 0, 253).value_or("");

  auto outcome = api.pairing.claim(c, req.client_address, api.auto_approve);
  if (auto* refused = std::get_if<ClaimRefused>(&outcome)) {
    ctx.audit.append("anonymous " + req.client_address, "device.claim_refused", "pairing", std::to_string(refused->status),
                     refused->code);
    Response r = error_response(refused->status, refused->code, refused->message);
    if (refused->retry_after_s > 0) r.headers.emplace_back("Retry-After", std::to_string(refused->retry_after_s));
    return r;
  }
  const Paired& p = std::get<Paired>(outcome);
  ctx.audit.append("device " + p.device.name, "device.paired", p.device.id, p.device.status, "from " + req.client_address);
  return Response::json(201, {{"device_id", p.device.id},
                              {"token", p.token},
                              {"status", p.device.status},
                              {"ws_url", "ws://" + ws_host(req) + ":" + std::to_string(api.device_port) + "/device/ws"},
                              {"device_port", api.device_port}});
}

// approve | block | revoke-token: the status change, the hub told, the device answered.
Response change_status(ApiContext& ctx, Request& req, const std::string& action) {
  DeviceApi& api = devices_of(ctx);
  const std::string& id = req.params["id"];
  Device d = device_or_throw(api, id);
  const std::string before = d.status;
  if (action == "approve") {
    if (d.status == device_status::kRevoked)
      throw ApiError(409, "device_revoked", "device '" + id + "' has its token revoked; it must pair again");
    api.store.set_status(id, device_status::kApproved);
    api.presence.approved(id);
  } else if (action == "block") {
    if (d.status == device_status::kRevoked)
      throw ApiError(409, "device_revoked", "device '" + id + "' has its token revoked; it cannot connect anyway");
    api.store.set_status(id, device_status::kBlocked);
    api.presence.disconnect(id, 4003, "device blocked");
  } else {
    api.store.revoke_token(id);
    api.presence.disconnect(id, 4001, "device token revoked");
  }
  d = device_or_throw(api, id);
  ctx.audit.append(caller_name(req), "device." + action, id, d.status, "from " + before);
  return Response::json(200, detail(api, d));
}

}  // namespace

void add_device_routes(Router& router, ApiContext& ctx) {
  const Access read = Access::any({Permission::DevicesRead, Permission::History});
  const Access write = Access::needs(Permission::DevicesWrite);

  router.add("GET", "/api/devices", read, [&ctx](Request& req) { return Response::json(200, list_answer(ctx, req)); });
  router.add("GET", "/api/v1/devices/list", Access::any({Permission::DevicesRead, Permission::History, Permission::Run}),
             [&ctx](Request& req) { return Response::json(200, list_answer(ctx, req)); });

  router.add("GET", "/api/devices/{id}", read, [&ctx](Request& req) {
    DeviceApi& api = devices_of(ctx);
    return Response::json(200, detail(api, device_or_throw(api, req.params["id"])));
  });

  router.add("PATCH", "/api/devices/{id}", write, [&ctx](Request& req) {
    DeviceApi& api = devices_of(ctx);
    const std::string& id = req.params["id"];
    json body = req.json_object_body();
    reject_unknown_fields(body, {"name", "metadata"});
    if (body.empty()) throw ApiError(400, "invalid_body", "give name and/or metadata to change");
    std::optional<std::string> name = string_field(body, "name", 1, 100);
    std::optional<json> metadata;
    if (body.contains("metadata")) {
      if (!body["metadata"].is_object()) throw ApiError(400, "invalid_field", "metadata must be an object", "metadata");
      metadata = body["metadata"];
    }
    if (!api.store.update(id, name, metadata)) throw ApiError(404, "not_found", "no device '" + id + "'");
    return Response::json(200, detail(api, device_or_throw(api, id)));
  });

  router.add("DELETE", "/api/devices/{id}", write, [&ctx](Request& req) {
    DeviceApi& api = devices_of(ctx);
    const std::string& id = req.params["id"];
    device_or_throw(api, id);
    // Close the socket first, so the agent hears why (4001) before its record is gone.
    api.presence.disconnect(id, 4001, "device deleted");
    if (!api.store.remove(id)) throw ApiError(404, "not_found", "no device '" + id + "'");
    ctx.audit.append(caller_name(req), "device.delete", id, "deleted");
    Response r;
    r.status = 204;
    return r;
  });

  router.add("GET", "/api/devices/{id}/capabilities", read, [&ctx](Request& req) {
    DeviceApi& api = devices_of(ctx);
    Device d = device_or_throw(api, req.params["id"]);
    return Response::json(200, {{"device_id", d.id}, {"capabilities", d.capabilities}, {"tools", d.tools}});
  });

  // No health yet: 200 with every metric absent and "timestamp": null (docs/decisions.md).
  router.add("GET", "/api/devices/{id}/health", read, [&ctx](Request& req) {
    DeviceApi& api = devices_of(ctx);
    Device d = device_or_throw(api, req.params["id"]);
    json h = health_json(d);
    if (h.is_null()) h = {{"timestamp", nullptr}};
    h["device_id"] = d.id;
    return Response::json(200, h);
  });

  // The dashboard's sparklines: every health message of the last `minutes` (at most a day,
  // which is what the store keeps), oldest first; for one device, or for a page of the
  // device list in one request (not one per device).
  router.add("GET", "/api/devices/{id}/health/history", read, [&ctx](Request& req) {
    DeviceApi& api = devices_of(ctx);
    Device d = device_or_throw(api, req.params["id"]);
    const int minutes = history_minutes(req);
    json samples = api.store.health_history(d.id, minutes_ago_ms(minutes));
    return Response::json(200, {{"device_id", d.id}, {"minutes", minutes}, {"samples", samples}});
  });

  router.add("GET", "/api/devices/health/history", read, [&ctx](Request& req) {
    const int minutes = history_minutes(req);
    std::vector<std::string> ids = history_ids(req);
    return Response::json(200, {{"minutes", minutes},
                                {"devices", devices_of(ctx).store.health_histories(ids, minutes_ago_ms(minutes))}});
  });

  router.add("POST", "/api/devices/pair", write, [&ctx](Request& req) {
    DeviceApi& api = devices_of(ctx);
    if (!req.body.empty()) reject_unknown_fields(req.json_object_body(), {});
    PairingCode code = api.pairing.create_code(caller_name(req));
    ctx.audit.append(caller_name(req), "device.pair_code", "pairing", "created", "expires " + iso8601(code.expires_ms));
    return Response::json(201, {{"code", code.code}, {"expires_at", iso8601(code.expires_ms)}, {"qr_url", "/api/devices/pair/qr"}});
  });

  // Public: the code is the credential; rate-limited per address and globally.
  router.add("POST", "/api/devices/pair/claim", Access::open(), [&ctx](Request& req) { return claim(ctx, req); });

  for (const char* action : {"approve", "block", "revoke-token"}) {
    std::string name = action;
    router.add("POST", "/api/devices/{id}/" + name, write, [&ctx, name](Request& req) {
      if (!req.body.empty()) reject_unknown_fields(req.json_object_body(), {});
      return change_status(ctx, req, name == "revoke-token" ? "revoke" : name);
    });
  }
}

}  // namespace steward::api
