#include "plugin_config.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "service_name.hpp"

namespace service_control {

using nlohmann::json;

bool is_backend_name(std::string_view name) {
  return name == "auto" || name == "systemd" || name == "sysv" || name == "supervisord";
}

namespace {

std::runtime_error bad(const std::string& field, const std::string& why) {
  return std::runtime_error("service_control config: " + field + ": " + why);
}

// A program path must be absolute: it is spawned directly, with no PATH search.
std::string program_path(const json& cfg, const std::string& field, const std::string& fallback) {
  if (!cfg.contains(field)) return fallback;
  if (!cfg[field].is_string()) throw bad(field, "must be a string");
  std::string p = cfg[field];
  if (p.empty() || p[0] != '/') throw bad(field, "must be an absolute path, got '" + p + "'");
  return p;
}

}  // namespace

PluginConfig parse_plugin_config(std::string_view config_json) {
  json cfg = json::parse(config_json.empty() ? std::string_view("{}") : config_json, nullptr, false);
  if (cfg.is_discarded() || !cfg.is_object()) throw std::runtime_error("service_control config: must be a JSON object");
  for (const auto& [key, _] : cfg.items())
    if (key != "backend" && key != "systemctl" && key != "service" && key != "supervisorctl" &&
        key != "supervisor_config" && key != "allowed_services")
      throw bad(key, "is not a known field (backend, systemctl, service, supervisorctl, supervisor_config, "
                     "allowed_services)");
  PluginConfig c;
  if (cfg.contains("backend")) {
    if (!cfg["backend"].is_string() || !is_backend_name(cfg["backend"].get<std::string>()))
      throw bad("backend", "must be one of auto, systemd, sysv, supervisord");
    c.backend = cfg["backend"];
  }
  c.systemctl = program_path(cfg, "systemctl", c.systemctl);
  c.service = program_path(cfg, "service", c.service);
  c.supervisorctl = program_path(cfg, "supervisorctl", c.supervisorctl);
  if (cfg.contains("supervisor_config")) {
    if (!cfg["supervisor_config"].is_string()) throw bad("supervisor_config", "must be a string");
    c.supervisor_config = cfg["supervisor_config"];
    std::error_code ec;
    if (c.supervisor_config.empty() || !std::filesystem::is_regular_file(c.supervisor_config, ec))
      throw bad("supervisor_config", "'" + c.supervisor_config + "' is not a readable file");
  }
  if (cfg.contains("allowed_services")) {
    if (!cfg["allowed_services"].is_array()) throw bad("allowed_services", "must be an array of service names");
    c.allowed_services.emplace();
    for (const auto& s : cfg["allowed_services"]) {
      if (!s.is_string()) throw bad("allowed_services", "must be an array of service names");
      std::string problem = service_name_problem(s.get<std::string>());
      if (!problem.empty()) throw bad("allowed_services", problem);
      c.allowed_services->insert(s.get<std::string>());
    }
  }
  return c;
}

}  // namespace service_control
