// An automation's `approval` settings (DESIGN.md §2): whether its runs wait for people,
// who may decide, how many must approve, and how long a request stays open.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace steward {

struct ApprovalSettings {
  bool required = false;
  std::vector<std::string> approvers;  // key names; empty: any key with act:approve
  int min_approvals = 1;
  std::int64_t expires_in_s = 86400;
};

inline nlohmann::json to_json(const ApprovalSettings& s) {
  return {{"required", s.required},
          {"approvers", s.approvers},
          {"min_approvals", s.min_approvals},
          {"expires_in", s.expires_in_s}};
}

// `j` was validated against the automation input schema.
inline ApprovalSettings approval_settings_from_json(const nlohmann::json& j) {
  ApprovalSettings s;
  s.required = j.value("required", false);
  s.approvers = j.value("approvers", std::vector<std::string>{});
  s.min_approvals = j.value("min_approvals", 1);
  s.expires_in_s = j.value("expires_in", std::int64_t{86400});
  return s;
}

}  // namespace steward
