#include "core/devices/device.hpp"

#include "core/util/clock.hpp"

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
          {"last_seen_at", d.last_seen_ms ? json(iso8601(*d.last_seen_ms)) : json(nullptr)},
          {"capabilities", d.capabilities},
          {"paired_at", iso8601(d.paired_ms)},
          {"metadata", d.metadata}};
}

json health_json(const Device& d) {
  if (!d.health.is_object()) return nullptr;
  json h = d.health;
  // The agent stamps its own time; when it did not, the time the hub received it stands in.
  if (!h.contains("timestamp") || !h["timestamp"].is_string())
    h["timestamp"] = d.health_ms ? json(iso8601(*d.health_ms)) : json(nullptr);
  return h;
}

}  // namespace steward
