// Turns an automation's type + params into validated steps, by asking the type plugin to
// plan and checking every step's tool and args against the loaded tools' schemas.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

#include "core/plugins/plugin_registry.hpp"
#include "core/util/json_schema.hpp"

namespace steward {

struct Step {
  std::string tool;
  nlohmann::json args = nlohmann::json::object();
  bool continue_on_error = false;  // a failure is recorded but does not fail the run
  std::string name;
  // always (default) | previous_failed: only after the step before failed (a remedy,
  // e.g. restart after a failed health check) | previous_succeeded. Otherwise `skipped`.
  std::string when = "always";
  // Where it runs: "" or "local" (this daemon), "device:<id>", "group:<id>", or "auto"
  // (routing decides at run time). Set from the automation's target when planned, and
  // stored with an approval request, so what is approved is where it runs.
  std::string target;
};

// Planned steps as stored (an approval's subject, a queued run's plan) and back.
nlohmann::json steps_json(const std::vector<Step>& steps);
std::vector<Step> steps_from_json(const nlohmann::json& j);

// Sets every step's target to the automation's (a no-op for "local").
void assign_target(std::vector<Step>& steps, const std::string& target);

using PlanOutcome = std::variant<std::vector<Step>, SchemaError>;

PlanOutcome plan_automation(const PluginRegistry& registry, const std::string& type,
                            const nlohmann::json& params);

}  // namespace steward
