// What every device route file needs: the device services (503 when this daemon serves no
// devices), a device by id (404), the caller's name for audit and `requested_by`, and the
// refusal of unknown body fields.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/routes/api_context.hpp"
#include "api/routes/device_api.hpp"

namespace steward::api {

// The device services; 503 devices_unavailable when the daemon serves none.
DeviceApi& devices_of(ApiContext& ctx);
// The same, also requiring the hub and the execution store (execute, queue, transfers).
DeviceApi& devices_with_hub(ApiContext& ctx);
// 404 not_found naming the id.
Device device_or_throw(DeviceApi& api, const std::string& id);
// The key's name, or "anonymous" for a public route.
std::string caller_name(const Request& req);
// 400 invalid_field naming the first field of `body` that is not in `known`, with the same
// message as every other route ("<field>: is not a known field").
void reject_unknown_fields(const nlohmann::json& body, std::initializer_list<std::string_view> known);

}  // namespace steward::api
