// A run: one execution of an automation, stored whatever ends it (DESIGN.md §1).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace steward {

namespace run_status {
inline constexpr const char* kPendingApproval = "pending_approval";
inline constexpr const char* kQueued = "queued";
inline constexpr const char* kRunning = "running";
inline constexpr const char* kDone = "done";
inline constexpr const char* kFailed = "failed";
inline constexpr const char* kTimeout = "timeout";
inline constexpr const char* kCancelled = "cancelled";
inline constexpr const char* kRejected = "rejected";
inline constexpr const char* kSkipped = "skipped";
inline constexpr const char* kInterrupted = "interrupted";
bool is_final(const std::string& status);
}  // namespace run_status

struct RunRecord {
  std::string id;
  std::string automation_id;
  std::string trigger;  // manual | api | schedule | webhook | proposal
  std::string status;
  std::string reason;  // why it ended as it did (empty for a plain success)
  std::int64_t created_ms = 0;
  std::optional<std::int64_t> started_ms;
  std::optional<std::int64_t> finished_ms;
  std::optional<std::int64_t> exit_code;
  std::string output;
  bool output_truncated = false;
  nlohmann::json steps = nlohmann::json::array();
  std::string requested_by;
  std::optional<std::int64_t> scheduled_ms;  // the fire instant, for scheduled runs
};

// A new run: a fresh `run_…` id, created now, no status yet. automation_id may be empty
// (one-off tool calls, action proposals).
RunRecord new_run(const std::string& automation_id, const std::string& trigger, const std::string& requested_by);

// Seed 002's run fields (run_id, automation_id, status, started, finished as Unix seconds,
// output) plus reason, trigger, exit_code, steps, duration_ms, output_truncated.
nlohmann::json to_json(const RunRecord& r);

}  // namespace steward
