#include "core/automations/automation.hpp"

namespace steward {

using nlohmann::json;

json to_json(const Automation& a) {
  return {{"id", a.id},
          {"name", a.name},
          {"type", a.type},
          {"icon", a.icon.empty() ? json(nullptr) : json(a.icon)},
          {"description", a.description},
          {"params", a.params},
          {"schedule", a.schedule ? json(*a.schedule) : json(nullptr)},
          {"timezone", a.timezone},
          {"catch_up", a.catch_up},
          {"concurrency", a.concurrency},
          {"on_daemon_loss", a.on_daemon_loss},
          {"target", a.target},
          {"enabled", a.enabled},
          {"timeout", a.timeout_s},
          {"tags", a.tags},
          {"approval", a.approval ? to_json(*a.approval) : json(nullptr)},
          {"created", a.created_ms / 1000},
          {"updated", a.updated_ms / 1000},
          {"last_run", a.last_run_ms ? json(*a.last_run_ms / 1000) : json(nullptr)},
          {"last_status", a.last_status ? json(*a.last_status) : json(nullptr)}};
}

}  // namespace steward
