// A device: a remote machine running the Steward agent (DESIGN.md §1, seed 001). Its
// record lives in the store; whether it is connected right now is the hub's knowledge.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace steward {

namespace device_status {
inline constexpr const char* kPending = "pending";    // paired, waiting for an admin to approve
inline constexpr const char* kApproved = "approved";  // receives commands
inline constexpr const char* kBlocked = "blocked";    // connection refused; record kept
inline constexpr const char* kRevoked = "revoked";    // token invalidated; must re-pair
bool valid(const std::string& s);
}  // namespace device_status

struct Device {
  std::string id;  // device_…
  std::string name;
  std::string hostname;
  std::string platform;      // "Linux"
  std::string architecture;  // "x86_64"
  std::string os_version;
  std::string agent_version;
  std::string status = device_status::kPending;
  nlohmann::json capabilities = nlohmann::json::array();  // tool names the agent loaded
  nlohmann::json tools = nlohmann::json::array();         // [{name, version, args_schema}]
  nlohmann::json metadata = nlohmann::json::object();     // PATCH: description, labels, …
  nlohmann::json health;                                   // last health message, or null
  std::optional<std::int64_t> health_ms;
  std::int64_t paired_ms = 0;
  std::optional<std::int64_t> last_seen_ms;
  std::int64_t updated_ms = 0;
};

// Whether the agent listed `tool` in its last hello.
bool lists_tool(const Device& d, const std::string& tool);
// Whether a command for `tool` may be sent: the agent listed it, or has not said yet what it
// has (a device that never connected; the agent refuses an unknown tool itself).
bool may_run_tool(const Device& d, const std::string& tool);

// Seed 001's list item: id, name, platform, architecture, os_version, agent_version,
// status, online, last_seen_at, capabilities, paired_at (+ hostname, metadata). ISO times.
nlohmann::json to_json(const Device& d, bool online);
// The seed's health object (cpu_percent, …, timestamp), or null when none arrived yet. The
// agent stamps its own time; when it did not, the time the hub received it stands in.
nlohmann::json health_json(const nlohmann::json& health, std::optional<std::int64_t> received_ms);
inline nlohmann::json health_json(const Device& d) { return health_json(d.health, d.health_ms); }

}  // namespace steward
