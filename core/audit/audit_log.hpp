// The append-only audit log: who did what, to what, when, and how it ended. Writes,
// approval decisions, refused keys and policy skips land here (docs/security.md).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/store/database.hpp"

namespace steward {

struct AuditEntry {
  std::int64_t seq = 0;
  std::int64_t at_ms = 0;
  std::string actor;    // key name, "anonymous", or "steward" for the daemon itself
  std::string action;   // "POST /api/automations", "approval.approve", "auth.denied", ...
  std::string target;   // an id or a path
  std::string outcome;  // "201", "approved", "denied", ...
  std::string detail;
};

nlohmann::json to_json(const AuditEntry& e);

struct AuditFilter {
  std::optional<std::string> actor, action_prefix;
  std::optional<std::int64_t> since_ms, until_ms;
  int limit = 100;
  int offset = 0;
};

class AuditLog {
 public:
  explicit AuditLog(store::Database& db) : db_(db) {}
  void append(const std::string& actor, const std::string& action, const std::string& target,
              const std::string& outcome, const std::string& detail = "");
  std::vector<AuditEntry> query(const AuditFilter& filter);

 private:
  store::Database& db_;
};

}  // namespace steward
