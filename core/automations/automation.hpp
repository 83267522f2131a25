// An automation: a saved task (DESIGN.md §1). Fields a later issue adds (schedule,
// approval, concurrency) are not accepted until the policy that enforces them exists.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/approvals/approval_settings.hpp"

namespace steward {

struct Automation {
  std::string id;
  std::string name;
  std::string type;
  std::string icon;
  std::string description;
  nlohmann::json params = nlohmann::json::object();
  std::string target = "local";
  bool enabled = true;
  std::int64_t timeout_s = 3600;
  nlohmann::json tags = nlohmann::json::array();
  std::optional<ApprovalSettings> approval;  // absent: runs go ahead without approval
  std::optional<std::string> schedule;       // 5-field cron; absent: runs only when triggered
  std::string timezone = "UTC";              // IANA name the schedule is read in
  std::string catch_up = "skip";             // after downtime: skip (record as missed) | once
  std::string concurrency = "skip";          // a fire while a run is active: skip | queue | allow
  std::string on_daemon_loss = "interrupt";  // its daemon died mid-run: interrupt | retry (queued again)
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
  std::optional<std::int64_t> last_run_ms;
  std::optional<std::string> last_status;
};

// The API's JSON (seed 002 names; times as Unix seconds like the seed's last_run).
nlohmann::json to_json(const Automation& a);

}  // namespace steward
