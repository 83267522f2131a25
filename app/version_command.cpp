// `steward version [--json]`: the version, the plugin ABI this binary speaks, and every plugin
// it would load (as `serve` loads them), refused ones with the reason. Support asks for this
// first, so it must work without a data directory or a running daemon.
#include <steward/plugin.h>

#include <iomanip>
#include <iostream>

#include "app/commands.hpp"
#include "core/plugins/plugin_registry.hpp"
#include "core/util/log.hpp"

namespace steward::app {

int run_version(const CommandLine& cmd) {
  if (!cmd.args.empty()) {
    std::cerr << "steward version: takes no arguments; see steward version --help\n";
    return 2;
  }
  Settings s = settings_for(cmd);
  set_log_level(LogLevel::Error);  // refusals are listed below; keep stderr for real trouble
  PluginRegistry registry;
  load_plugins(registry, s);
  const std::string abi = std::to_string(STEWARD_ABI_MAJOR) + "." + std::to_string(STEWARD_ABI_MINOR);

  if (cmd.options.count("json")) {
    nlohmann::json plugins = nlohmann::json::array();
    for (const auto& p : registry.plugins()) {
      nlohmann::json entry = {{"name", p.name}, {"kind", p.kind}, {"version", p.version},
                              {"status", p.status}, {"file", p.file}};
      if (!p.error.empty()) entry["error"] = p.error;
      plugins.push_back(entry);
    }
    std::cout << nlohmann::json{{"version", STEWARD_VERSION}, {"plugin_abi", abi}, {"plugins", plugins}}.dump(2)
              << "\n";
    return 0;
  }
  std::cout << "steward " << STEWARD_VERSION << " (plugin ABI " << abi << ")\n";
  if (registry.plugins().empty()) {
    std::cout << "no plugins found\n";
    return 0;
  }
  std::cout << "plugins:\n";
  for (const auto& p : registry.plugins()) {
    std::cout << "  " << std::left << std::setw(18) << (p.name.empty() ? "-" : p.name) << std::setw(17)
              << (p.kind.empty() ? "-" : p.kind) << std::setw(10) << (p.version.empty() ? "-" : p.version)
              << p.status;
    if (!p.error.empty()) std::cout << ": " << p.error << " (" << p.file << ")";
    std::cout << "\n";
  }
  return 0;
}

}  // namespace steward::app
