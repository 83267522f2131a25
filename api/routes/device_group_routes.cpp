// /api/device-groups — seed 001's device groups: list, create, get, delete, add and remove
// members. Running a tool on a group is device_exec_routes.cpp's.
#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "api/routes/api_context.hpp"
#include "api/routes/device_route_helpers.hpp"
#include "api/routes/route_helpers.hpp"

namespace steward::api {

using nlohmann::json;

namespace {

DeviceGroup group_or_throw(DeviceApi& api, const std::string& id) {
  auto g = api.groups.get(id);
  if (!g) throw ApiError(404, "not_found", "no device group '" + id + "'");
  return *g;
}

// A group with each member's name, status and liveness, for GET and member changes.
json group_detail(DeviceApi& api, const DeviceGroup& g) {
  json j = to_json(g);
  json members = json::array();
  for (const auto& id : g.members) {
    json m = {{"device_id", id}, {"name", nullptr}, {"status", nullptr}, {"online", api.presence.online(id)}};
    if (auto d = api.store.get(id)) {
      m["name"] = d->name;
      m["status"] = d->status;
    }
    members.push_back(m);
  }
  j["members"] = members;
  return j;
}

bool blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
}

}  // namespace

void add_device_group_routes(Router& router, ApiContext& ctx) {
  const Access read = Access::any({Permission::DevicesRead, Permission::History});
  const Access write = Access::needs(Permission::DevicesWrite);

  router.add("GET", "/api/device-groups", read, [&ctx](Request&) {
    DeviceApi& api = devices_of(ctx);
    json list = json::array();
    for (const auto& g : api.groups.list()) list.push_back(to_json(g));
    return Response::json(200, {{"groups", list}, {"total", list.size()}});
  });

  router.add("POST", "/api/device-groups", write, [&ctx](Request& req) {
    DeviceApi& api = devices_of(ctx);
    json body = req.json_object_body();
    reject_unknown_fields(body, {"name", "description"});
    if (!body.contains("name") || !body["name"].is_string())
      throw ApiError(400, "invalid_field", "name is required and must be a string", "name");
    std::string name = body["name"];
    if (name.empty() || name.size() > 100 || blank(name))
      throw ApiError(400, "invalid_field", "name must be 1 to 100 characters, not all blank", "name");
    std::string description;
    if (body.contains("description")) {
      if (!body["description"].is_string() || body["description"].get<std::string>().size() > 1000)
        throw ApiError(400, "invalid_field", "description must be a string of at most 1000 characters", "description");
      description = body["description"];
    }
    try {
      return Response::json(201, group_detail(api, api.groups.create(name, description)));
    } catch (const std::invalid_argument& e) {
      throw ApiError(409, "name_taken", e.what(), "name");
    }
  });

  router.add("GET", "/api/device-groups/{id}", read, [&ctx](Request& req) {
    DeviceApi& api = devices_of(ctx);
    return Response::json(200, group_detail(api, group_or_throw(api, req.params["id"])));
  });

  router.add("DELETE", "/api/device-groups/{id}", write, [&ctx](Request& req) {
    DeviceApi& api = devices_of(ctx);
    if (!api.groups.remove(req.params["id"])) throw ApiError(404, "not_found", "no device group '" + req.params["id"] + "'");
    Response r;
    r.status = 204;
    return r;
  });

  // Adding a member twice is fine (200, unchanged): the caller wanted it in, and it is.
  router.add("POST", "/api/device-groups/{id}/members/{device_id}", write, [&ctx](Request& req) {
    DeviceApi& api = devices_of(ctx);
    const std::string& id = req.params["id"];
    const std::string& device_id = req.params["device_id"];
    group_or_throw(api, id);
    if (!api.store.get(device_id)) throw ApiError(404, "not_found", "no device '" + device_id + "'");
    api.groups.add_member(id, device_id);
    return Response::json(200, group_detail(api, group_or_throw(api, id)));
  });

  router.add("DELETE", "/api/device-groups/{id}/members/{device_id}", write, [&ctx](Request& req) {
    DeviceApi& api = devices_of(ctx);
    const std::string& id = req.params["id"];
    const std::string& device_id = req.params["device_id"];
    group_or_throw(api, id);
    if (!api.groups.remove_member(id, device_id))
      throw ApiError(404, "not_found", "device '" + device_id + "' is not a member of group '" + id + "'");
    return Response::json(200, group_detail(api, group_or_throw(api, id)));
  });
}

}  // namespace steward::api
