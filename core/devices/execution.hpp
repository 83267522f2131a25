// One tool call on one device: asked through the API, a group, an automation run or a
// transfer. Stored from the moment it is asked (queued or sent) to its end.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace steward {

namespace execution_status {
inline constexpr const char* kQueued = "queued";        // device offline; sent when it reconnects
inline constexpr const char* kRunning = "running";      // sent to the agent
inline constexpr const char* kCompleted = "completed";
inline constexpr const char* kFailed = "failed";
inline constexpr const char* kCancelled = "cancelled";
inline constexpr const char* kTimeout = "timeout";
inline constexpr const char* kExpired = "expired";      // queued past its expiry; never sent
bool is_final(const std::string& s);
}  // namespace execution_status

struct DeviceExecution {
  std::string id;  // exec_…
  std::string device_id;
  std::string tool;
  nlohmann::json args = nlohmann::json::object();
  std::int64_t timeout_s = 60;
  std::string status = execution_status::kRunning;
  std::string output;
  bool output_truncated = false;
  std::optional<std::string> error;
  nlohmann::json result;  // the tool's result object, or null
  std::optional<std::int64_t> exit_code;
  std::string source = "api";  // api | group:<id> | run:<id> | transfer:<id>
  std::string requested_by;
  std::int64_t created_ms = 0;
  std::optional<std::int64_t> expires_ms;  // queued commands only
  std::optional<std::int64_t> started_ms;
  std::optional<std::int64_t> finished_ms;
};

// Seed 001's execute answer (execution_id, device_id, tool, status, output, error,
// duration_ms) plus exit_code, result, source, requested_by and ISO times.
nlohmann::json to_json(const DeviceExecution& e);

}  // namespace steward
