#include "core/approvals/approval_request.hpp"

#include <ctime>

namespace steward {

using nlohmann::json;

int ApprovalRequest::approvals() const {
  int n = 0;
  for (const auto& d : decisions) n += d.decision == "approve";
  return n;
}

namespace {
json decisions_json(const ApprovalRequest& r, bool iso) {
  json out = json::array();
  for (const auto& d : r.decisions)
    out.push_back({{"by", d.actor},
                   {"decision", d.decision},
                   {"comment", d.comment},
                   {"at", iso ? json(iso8601(d.at_ms)) : json(d.at_ms / 1000)}});
  return out;
}
json opt_time(const std::optional<std::int64_t>& ms, bool iso) {
  if (!ms) return nullptr;
  return iso ? json(iso8601(*ms)) : json(*ms / 1000);
}
}  // namespace

json to_approval_json(const ApprovalRequest& r) {
  return {{"id", r.id},
          {"kind", r.kind},
          {"status", r.status},
          {"title", r.title},
          {"description", r.description},
          {"requested_by", r.requested_by},
          {"automation_id", r.automation_id.empty() ? json(nullptr) : json(r.automation_id)},
          {"run_id", r.run_id.empty() ? json(nullptr) : json(r.run_id)},
          {"approvers", r.approvers},
          {"min_approvals", r.min_approvals},
          {"approvals", r.approvals()},
          {"decisions", decisions_json(r, false)},
          {"created", r.created_ms / 1000},
          {"expires", opt_time(r.expires_ms, false)},
          {"decided", opt_time(r.decided_ms, false)},
          {"reason", r.reason.empty() ? json(nullptr) : json(r.reason)},
          {"steps", r.subject.value("steps", json::array())}};
}

json to_proposal_json(const ApprovalRequest& r, bool include_commands) {
  json j = {{"id", r.id},
            {"status", r.status},
            {"title", r.title},
            {"description", r.description},
            {"requested_by", r.requested_by},
            {"approvers", r.approvers},
            {"min_approvals", r.min_approvals},
            {"approvals", r.approvals()},
            {"decisions", decisions_json(r, true)},
            {"created_at", iso8601(r.created_ms)},
            {"expires_at", opt_time(r.expires_ms, true)},
            {"decided_at", opt_time(r.decided_ms, true)},
            {"reason", r.reason.empty() ? json(nullptr) : json(r.reason)},
            {"run_id", r.run_id.empty() ? json(nullptr) : json(r.run_id)}};
  if (include_commands) {
    json commands = json::array();
    for (const auto& s : r.subject.value("steps", json::array()))
      commands.push_back({{"tool", s.value("tool", "")}, {"args", s.value("args", json::object())},
                          {"target", s.value("target", "local")}});
    j["commands"] = commands;
  }
  return j;
}

}  // namespace steward
