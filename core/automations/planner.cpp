#include "core/automations/planner.hpp"

namespace steward {

using nlohmann::json;

PlanOutcome plan_automation(const PluginRegistry& registry, const std::string& type, const json& params) {
  const Plugin* planner = registry.automation_type(type);
  if (!planner) return SchemaError{"type", "no automation type '" + type + "' is loaded"};
  if (auto err = validate_json(planner->schema(), params, "params")) return *err;

  PlanCall call;
  steward_rc rc = planner->plan(call, params.dump());
  if (rc != STEWARD_OK)
    return SchemaError{"params", call.error.empty() ? "the '" + type + "' type could not plan these params" : call.error};
  json steps = json::parse(call.result, nullptr, false);
  if (steps.is_discarded() || !steps.is_array() || steps.empty())
    return SchemaError{"params", "the '" + type + "' type returned no steps (plugin bug)"};

  std::vector<Step> out;
  for (size_t i = 0; i < steps.size(); ++i) {
    const json& s = steps[i];
    std::string where = "plan step " + std::to_string(i + 1);
    if (!s.is_object() || !s.contains("tool") || !s["tool"].is_string())
      return SchemaError{where, "has no tool (plugin bug)"};
    Step step;
    step.tool = s["tool"].get<std::string>();
    step.args = s.value("args", json::object());
    step.continue_on_error = s.value("continue_on_error", false);
    step.name = s.value("name", "");
    step.when = s.value("when", "always");
    if (step.when != "always" && step.when != "previous_failed" && step.when != "previous_succeeded")
      return SchemaError{where, "has when '" + step.when + "' (always, previous_failed or previous_succeeded)"};
    const Plugin* tool = registry.tool(step.tool);
    if (!tool) return SchemaError{where, "uses tool '" + step.tool + "', which is not loaded"};
    if (auto err = validate_json(tool->schema(), step.args, "args"))
      return SchemaError{where + " (" + step.tool + ") " + err->path, err->message};
    out.push_back(std::move(step));
  }
  return out;
}

nlohmann::json steps_json(const std::vector<Step>& steps) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : steps) {
    nlohmann::json j = {{"tool", s.tool}, {"args", s.args}, {"continue_on_error", s.continue_on_error}};
    if (!s.name.empty()) j["name"] = s.name;
    if (s.when != "always") j["when"] = s.when;
    if (!s.target.empty()) j["target"] = s.target;
    out.push_back(j);
  }
  return out;
}

std::vector<Step> steps_from_json(const nlohmann::json& j) {
  std::vector<Step> out;
  for (const auto& s : j)
    out.push_back({s.at("tool"), s.value("args", nlohmann::json::object()), s.value("continue_on_error", false),
                   s.value("name", ""), s.value("when", "always"), s.value("target", "")});
  return out;
}

void assign_target(std::vector<Step>& steps, const std::string& target) {
  if (target.empty() || target == "local") return;
  for (auto& s : steps) s.target = target;
}

}  // namespace steward
