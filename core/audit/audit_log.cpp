#include "core/audit/audit_log.hpp"

#include "core/util/clock.hpp"
#include "core/util/log.hpp"

namespace steward {

nlohmann::json to_json(const AuditEntry& e) {
  return {{"seq", e.seq},       {"at", e.at_ms / 1000}, {"at_ms", e.at_ms},   {"actor", e.actor},
          {"action", e.action}, {"target", e.target},  {"outcome", e.outcome}, {"detail", e.detail}};
}

void AuditLog::append(const std::string& actor, const std::string& action, const std::string& target,
                      const std::string& outcome, const std::string& detail) {
  try {
    db_.execute("INSERT INTO audit_log(at_ms, actor, action, target, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)",
                {now_ms(), actor, action, target, outcome, detail});
  } catch (const std::exception& e) {
    // The action itself already happened; losing its audit line is logged loudly, not fatal.
    log(LogLevel::Error, "audit", "could not record " + action + " by " + actor + ": " + e.what());
  }
}

std::vector<AuditEntry> AuditLog::query(const AuditFilter& f) {
  std::string sql = "SELECT seq, at_ms, actor, action, target, outcome, detail FROM audit_log WHERE 1 = 1";
  store::Params params;
  if (f.actor) {
    sql += " AND actor = ?";
    params.emplace_back(*f.actor);
  }
  if (f.action_prefix) {
    sql += " AND substr(action, 1, ?) = ?";
    params.emplace_back(static_cast<std::int64_t>(f.action_prefix->size()));
    params.emplace_back(*f.action_prefix);
  }
  if (f.since_ms) {
    sql += " AND at_ms >= ?";
    params.emplace_back(*f.since_ms);
  }
  if (f.until_ms) {
    sql += " AND at_ms < ?";
    params.emplace_back(*f.until_ms);
  }
  sql += " ORDER BY seq DESC LIMIT ? OFFSET ?";
  params.emplace_back(std::int64_t{f.limit});
  params.emplace_back(std::int64_t{f.offset});
  std::vector<AuditEntry> out;
  for (const auto& r : db_.query(sql, params))
    out.push_back({r.integer(0), r.integer(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6)});
  return out;
}

}  // namespace steward
