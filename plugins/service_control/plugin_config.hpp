// The service_control tool's plugin_config object, validated once at start.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace service_control {

struct PluginConfig {
  std::string backend = "auto";  // auto | systemd | sysv | supervisord
  std::string systemctl = "/usr/bin/systemctl";
  std::string service = "/usr/sbin/service";
  std::string supervisorctl = "/usr/bin/supervisorctl";
  std::string supervisor_config;  // passed as `supervisorctl -c FILE` when set
  std::optional<std::set<std::string>> allowed_services;  // nullopt: any valid name
};

// Throws std::runtime_error naming the field and the reason.
PluginConfig parse_plugin_config(std::string_view config_json);

bool is_backend_name(std::string_view name);

}  // namespace service_control
