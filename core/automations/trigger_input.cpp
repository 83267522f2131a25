#include "core/automations/trigger_input.hpp"

#include <algorithm>
#include <regex>

namespace steward {

using nlohmann::json;

namespace {

std::string strip_nul(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), '\0'), s.end());
  return s;
}

std::string text_of(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

// FIELD_NAME for the environment: upper case, anything else becomes '_'.
std::string env_suffix(const std::string& name) {
  std::string out;
  for (unsigned char c : name) out += std::isalnum(c) ? static_cast<char>(std::toupper(c)) : '_';
  return out;
}

bool schema_flag(const json& tool_schema, const std::string& property, const char* flag) {
  auto props = tool_schema.find("properties");
  if (props == tool_schema.end() || !props->contains(property)) return false;
  return (*props)[property].value(flag, false);
}

std::string render(const std::string& text, const TriggerInput& input, bool shell) {
  static const std::regex kPlaceholder(R"(\{\{\s*((?:payload|headers)(?:\.[A-Za-z0-9_\-]+)*)\s*\}\})");
  std::string out;
  auto begin = std::sregex_iterator(text.begin(), text.end(), kPlaceholder);
  std::size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    out.append(text, last, static_cast<std::size_t>(it->position()) - last);
    std::string value = strip_nul(placeholder_value(input, (*it)[1].str()));
    out += shell ? shell_quote(value) : value;
    last = static_cast<std::size_t>(it->position() + it->length());
  }
  out.append(text, last, std::string::npos);
  return out;
}

json render_value(const json& v, const TriggerInput& input, bool shell) {
  if (v.is_string()) return render(v.get<std::string>(), input, shell);
  if (v.is_array() || v.is_object()) {
    json out = v;
    for (auto& [k, child] : out.items()) child = render_value(child, input, shell);
    return out;
  }
  return v;
}

json trigger_env(const TriggerInput& input) {
  json env = json::object();
  env["STEWARD_TRIGGER"] = input.trigger;
  env["STEWARD_PAYLOAD"] = strip_nul(input.payload.is_string() ? input.payload.get<std::string>() : input.payload.dump());
  if (input.payload.is_object())
    for (const auto& [k, v] : input.payload.items())
      if (!v.is_object() && !v.is_array()) env["STEWARD_PAYLOAD_" + env_suffix(k)] = strip_nul(text_of(v));
  for (const auto& [name, value] : input.headers) env["STEWARD_HEADER_" + env_suffix(name)] = strip_nul(value);
  return env;
}

}  // namespace

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string placeholder_value(const TriggerInput& input, const std::string& reference) {
  auto dot = reference.find('.');
  std::string root = reference.substr(0, dot);
  if (root == "headers") {
    if (dot == std::string::npos) return json(input.headers).dump();
    std::string name = reference.substr(dot + 1);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    auto it = input.headers.find(name);
    return it == input.headers.end() ? "" : it->second;
  }
  const json* at = &input.payload;
  std::size_t pos = dot;
  while (pos != std::string::npos) {
    std::size_t next = reference.find('.', pos + 1);
    std::string key = reference.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1);
    if (at->is_object() && at->contains(key)) {
      at = &(*at)[key];
    } else if (at->is_array() && !key.empty() && std::all_of(key.begin(), key.end(), ::isdigit) &&
               std::stoul(key) < at->size()) {
      at = &(*at)[std::stoul(key)];
    } else {
      return "";
    }
    pos = next;
  }
  return text_of(*at);
}

PlanOutcome apply_trigger_input(const PluginRegistry& registry, std::vector<Step> steps, const TriggerInput& input) {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    Step& step = steps[i];
    const Plugin* tool = registry.tool(step.tool);
    if (!tool) return SchemaError{"steps[" + std::to_string(i) + "].tool", "no tool '" + step.tool + "' is loaded"};
    const json& schema = tool->schema();
    for (auto& [name, value] : step.args.items())
      value = render_value(value, input, schema_flag(schema, name, "x-steward-shell"));
    if (auto props = schema.find("properties"); props != schema.end())
      for (const auto& [name, prop] : props->items()) {
        if (!prop.value("x-steward-env", false)) continue;
        json env = trigger_env(input);
        if (step.args.contains(name) && step.args[name].is_object())
          for (const auto& [k, v] : step.args[name].items()) env[k] = v;  // the automation's own win
        step.args[name] = env;
      }
    if (auto err = validate_json(schema, step.args, "steps[" + std::to_string(i) + "].args")) return *err;
  }
  return steps;
}

}  // namespace steward
