#include "core/automations/automation_input.hpp"

#include "core/automations/planner.hpp"
#include "core/automations/target.hpp"
#include "core/scheduling/compiled_schedule.hpp"

namespace steward {

using nlohmann::json;

const json& automation_input_schema() {
  static const json schema = json::parse(R"json({
    "type": "object",
    "required": ["name", "type"],
    "additionalProperties": false,
    "properties": {
      "name": {"type": "string", "minLength": 1, "maxLength": 200, "description": "Shown in lists"},
      "type": {"type": "string", "minLength": 1, "description": "An automation type plugin: script, sequence, ..."},
      "params": {"type": "object", "description": "Validated against the type's schema", "default": {}},
      "icon": {"type": "string", "maxLength": 100, "description": "An icon name such as fa-database"},
      "description": {"type": "string", "maxLength": 2000},
      "target": {"type": "string", "minLength": 1, "maxLength": 100, "default": "local",
                 "description": "Where it runs: local (this daemon), auto (routing preferences), device:<device id> or group:<group id> (every online member)"},
      "enabled": {"type": "boolean", "default": true, "description": "A disabled automation does not run"},
      "timeout": {"type": "integer", "minimum": 1, "maximum": 604800,
                  "description": "Seconds before the run is stopped and stored as timeout"},
      "tags": {"type": "array", "maxItems": 50, "items": {"type": "string", "minLength": 1, "maxLength": 64}},
      "schedule": {"type": ["string", "null"], "maxLength": 200,
                   "description": "5-field cron (minute hour day-of-month month day-of-week) or @daily etc."},
      "timezone": {"type": "string", "minLength": 1, "maxLength": 64, "default": "UTC",
                   "description": "IANA time zone the schedule is read in"},
      "catch_up": {"type": "string", "enum": ["skip", "once"], "default": "skip",
                   "description": "Fires missed while the daemon was down: skip (recorded as skipped, reason missed) or once"},
      "concurrency": {"type": "string", "enum": ["skip", "queue", "allow"], "default": "skip",
                      "description": "A scheduled fire while a run is active: skip (recorded, reason overlap), queue, allow"},
      "on_daemon_loss": {"type": "string", "enum": ["interrupt", "retry"], "default": "interrupt",
                         "description": "Several daemons on PostgreSQL: a run whose daemon dies ends interrupted, or (retry) is queued again for another daemon, up to 3 attempts"},
      "webhook": {"type": ["object", "null"],
                  "description": "A webhook that runs this automation (docs/webhooks-and-streams.md); null removes it"},
      "approval": {
        "type": ["object", "null"], "additionalProperties": false,
        "description": "Runs wait until people approve them (docs/security.md)",
        "properties": {
          "required": {"type": "boolean", "default": false},
          "approvers": {"type": "array", "maxItems": 50, "items": {"type": "string", "minLength": 1, "maxLength": 200},
                        "description": "Key names allowed to decide; empty: any key with act:approve"},
          "min_approvals": {"type": "integer", "minimum": 1, "maximum": 50, "default": 1},
          "expires_in": {"type": "integer", "minimum": 1, "maximum": 2592000, "default": 86400,
                         "description": "Seconds a request stays open; then it expires and the run is rejected"}
        }
      }
    }
  })json");
  return schema;
}

std::variant<Automation, SchemaError> automation_from_input(const json& body, const PluginRegistry& registry,
                                                            std::int64_t default_timeout_s) {
  if (auto err = validate_json(automation_input_schema(), body, "body")) {
    // Report fields by their own name ("name", "params.command"), not "body.name".
    if (err->path.rfind("body.", 0) == 0) err->path = err->path.substr(5);
    return *err;
  }
  Automation a;
  a.name = body["name"].get<std::string>();
  a.type = body["type"].get<std::string>();
  a.params = body.value("params", json::object());
  a.icon = body.value("icon", "");
  a.description = body.value("description", "");
  a.target = body.value("target", "local");
  if (!parse_target(a.target)) return SchemaError{"target", kTargetForms};
  a.enabled = body.value("enabled", true);
  a.timeout_s = body.value("timeout", default_timeout_s);
  a.tags = body.value("tags", json::array());
  if (body.contains("schedule") && body["schedule"].is_string()) a.schedule = body["schedule"].get<std::string>();
  a.timezone = body.value("timezone", "UTC");
  a.catch_up = body.value("catch_up", "skip");
  a.concurrency = body.value("concurrency", "skip");
  a.on_daemon_loss = body.value("on_daemon_loss", "interrupt");
  if (a.schedule || a.timezone != "UTC") {
    auto compiled = compile_schedule(a.schedule.value_or("@daily"), a.timezone);
    if (auto* err = std::get_if<SchemaError>(&compiled)) return *err;
  }
  if (body.contains("approval") && body["approval"].is_object()) {
    a.approval = approval_settings_from_json(body["approval"]);
    const auto& s = *a.approval;
    if (!s.approvers.empty() && static_cast<size_t>(s.min_approvals) > s.approvers.size())
      return SchemaError{"approval.min_approvals", "must not exceed the number of approvers (" +
                                                       std::to_string(s.approvers.size()) + ")"};
  }

  auto planned = plan_automation(registry, a.type, a.params);
  if (auto* err = std::get_if<SchemaError>(&planned)) return *err;
  return a;
}

}  // namespace steward
