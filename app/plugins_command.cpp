// `steward plugins list`: loads plugins exactly as `serve` would and reports each.
#include <iomanip>
#include <iostream>

#include "app/commands.hpp"
#include "core/plugins/plugin_registry.hpp"
#include "core/util/log.hpp"

namespace steward::app {

int run_plugins(const CommandLine& cmd) {
  if (cmd.args.empty() || cmd.args[0] != "list") {
    std::cerr << "steward plugins: expected 'list'\n";
    return 2;
  }
  Settings s = settings_for(cmd);
  set_log_level(LogLevel::Error);  // the table says it all; keep stderr for real trouble
  PluginRegistry registry;
  load_plugins(registry, s);

  if (cmd.options.count("json")) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& p : registry.plugins()) list.push_back(to_json(p));
    std::cout << list.dump(2) << "\n";
    return 0;
  }
  std::cout << std::left << std::setw(18) << "NAME" << std::setw(17) << "KIND" << std::setw(10) << "VERSION"
            << std::setw(9) << "STATUS" << "FILE\n";
  for (const auto& p : registry.plugins()) {
    std::cout << std::setw(18) << (p.name.empty() ? "-" : p.name) << std::setw(17) << (p.kind.empty() ? "-" : p.kind)
              << std::setw(10) << (p.version.empty() ? "-" : p.version) << std::setw(9) << p.status << p.file << "\n";
    if (!p.error.empty()) std::cout << "    error: " << p.error << "\n";
  }
  return 0;
}

}  // namespace steward::app
