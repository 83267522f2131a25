#include "api/routes/device_route_helpers.hpp"

#include <algorithm>

namespace steward::api {

DeviceApi& devices_of(ApiContext& ctx) {
  if (!ctx.devices) throw ApiError(503, "devices_unavailable", "this daemon serves no devices");
  return *ctx.devices;
}

DeviceApi& devices_with_hub(ApiContext& ctx) {
  DeviceApi& api = devices_of(ctx);
  if (!api.hub || !api.executions) throw ApiError(503, "devices_unavailable", "this daemon serves no devices");
  return api;
}

Device device_or_throw(DeviceApi& api, const std::string& id) {
  auto d = api.store.get(id);
  if (!d) throw ApiError(404, "not_found", "no device '" + id + "'");
  return *d;
}

std::string caller_name(const Request& req) { return req.principal ? req.principal->name : "anonymous"; }

void reject_unknown_fields(const nlohmann::json& body, std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : body.items())
    if (std::find(known.begin(), known.end(), key) == known.end())
      throw ApiError(400, "invalid_field", key + ": is not a known field", key);
}

}  // namespace steward::api
