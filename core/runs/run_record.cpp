#include "core/runs/run_record.hpp"

#include "core/util/clock.hpp"
#include "core/util/ids.hpp"

namespace steward {

using nlohmann::json;

RunRecord new_run(const std::string& automation_id, const std::string& trigger, const std::string& requested_by) {
  RunRecord r;
  r.id = new_id("run");
  r.automation_id = automation_id;
  r.trigger = trigger;
  r.requested_by = requested_by;
  r.created_ms = now_ms();
  return r;
}

bool run_status::is_final(const std::string& s) {
  return s == kDone || s == kFailed || s == kTimeout || s == kCancelled || s == kRejected ||
         s == kSkipped || s == kInterrupted;
}

json to_json(const RunRecord& r) {
  auto secs = [](const std::optional<std::int64_t>& ms) { return ms ? json(*ms / 1000) : json(nullptr); };
  json duration = (r.started_ms && r.finished_ms) ? json(*r.finished_ms - *r.started_ms) : json(nullptr);
  return {{"run_id", r.id},
          {"automation_id", r.automation_id},
          {"status", r.status},
          {"started", secs(r.started_ms)},
          {"finished", secs(r.finished_ms)},
          {"output", r.output},
          {"output_truncated", r.output_truncated},
          {"exit_code", r.exit_code ? json(*r.exit_code) : json(nullptr)},
          {"reason", r.reason.empty() ? json(nullptr) : json(r.reason)},
          {"trigger", r.trigger},
          {"requested_by", r.requested_by},
          {"created", r.created_ms / 1000},
          {"duration_ms", duration},
          {"scheduled", secs(r.scheduled_ms)},
          {"steps", r.steps}};
}

}  // namespace steward
