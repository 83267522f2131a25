#include "core/devices/execution.hpp"

#include "core/util/clock.hpp"
#include "core/util/json_time.hpp"

namespace steward {

using nlohmann::json;

namespace execution_status {
bool is_final(const std::string& s) {
  return s == kCompleted || s == kFailed || s == kCancelled || s == kTimeout || s == kExpired;
}
}  // namespace execution_status

json to_json(const DeviceExecution& e) {
  json duration;
  if (e.started_ms && e.finished_ms) duration = *e.finished_ms - *e.started_ms;
  return {{"execution_id", e.id},
          {"device_id", e.device_id},
          {"tool", e.tool},
          {"args", e.args},
          {"status", e.status},
          {"output", e.output},
          {"output_truncated", e.output_truncated},
          {"error", e.error ? json(*e.error) : json()},
          {"exit_code", e.exit_code ? json(*e.exit_code) : json()},
          {"result", e.result},
          {"duration_ms", duration},
          {"timeout", e.timeout_s},
          {"source", e.source},
          {"requested_by", e.requested_by},
          {"created_at", iso8601(e.created_ms)},
          {"expires_at", iso8601_or_null(e.expires_ms)},
          {"started_at", iso8601_or_null(e.started_ms)},
          {"finished_at", iso8601_or_null(e.finished_ms)}};
}

}  // namespace steward
