#include "core/devices/device.hpp"

#include <algorithm>

#include "core/util/clock.hpp"
#include "core/util/json_time.hpp"

namespace steward {

using nlohmann::json;

bool device_status::valid(const std::string& s) {
  return s == kPending || s == kApproved || s == kBlocked || s == kRevoked;
}

json to_json(const Device& d, bool online) {
  return {{"id", d.id},
          {"name", d.name},
          {"hostname", d.hostname},
          {"platform", d.platform},
          {"architecture", d.architecture},
          {"os_version", d.os_version},
          {"agent_version", d.agent_version},
          {"status", d.status},
          {"online", online},
          {"last_seen_at", iso8601_or_null(d.last_seen_ms)},
          {"capabilities", d.capabilities},
          {"paired_at", iso8601(d.paired_ms)},
          {"metadata", d.metadata}};
}

json health_json(const json& health, std::optional<std::int64_t> received_ms) {
  if (!health.is_object()) return nullptr;
  json h = health;
  if (!h.contains("timestamp") || !h["timestamp"].is_string()) h["timestamp"] = iso8601_or_null(received_ms);
  return h;
}

bool lists_tool(const Device& d, const std::string& tool) {
  if (!d.capabilities.is_array()) return false;
  return std::any_of(d.capabilities.begin(), d.capabilities.end(),
                     [&](const json& c) { return c.is_string() && c.get<std::string>() == tool; });
}

bool may_run_tool(const Device& d, const std::string& tool) {
  return d.capabilities.empty() || lists_tool(d, tool);
}

}  // namespace steward
