// An approval request: a decision people must take before something runs. Two kinds share
// one store and one queue (DESIGN.md §4): `run` holds a run of an automation whose
// approval is required; `proposal` carries an ad-hoc list of commands (an action proposal,
// /api/v1/act/proposals) that becomes a run when approved.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/util/clock.hpp"  // iso8601

namespace steward {

namespace approval_status {
inline constexpr const char* kPending = "pending";
inline constexpr const char* kApproved = "approved";
inline constexpr const char* kRejected = "rejected";
inline constexpr const char* kExpired = "expired";
}  // namespace approval_status

struct ApprovalDecision {
  std::string actor;
  std::string decision;  // "approve" | "reject"
  std::string comment;
  std::int64_t at_ms = 0;
};

struct ApprovalRequest {
  std::string id;
  std::string kind;  // "run" | "proposal"
  std::string status;
  std::string title;
  std::string description;
  std::string requested_by;
  std::string automation_id;  // kind run
  std::string run_id;         // the held run, or the run an approved proposal became
  nlohmann::json subject;     // {"steps":[...], "timeout_s": N}: exactly what runs if approved
  std::vector<std::string> approvers;
  int min_approvals = 1;
  std::int64_t created_ms = 0;
  std::optional<std::int64_t> expires_ms;
  std::optional<std::int64_t> decided_ms;
  std::string reason;
  std::vector<ApprovalDecision> decisions;

  int approvals() const;
};

// The /api/approvals view (Unix seconds, like the rest of seed 002).
nlohmann::json to_approval_json(const ApprovalRequest& r);
// The /api/v1/act/proposals view (ISO 8601 times); commands only when asked for.
nlohmann::json to_proposal_json(const ApprovalRequest& r, bool include_commands);


}  // namespace steward
