#include <unistd.h>

#include <filesystem>

#include "app/commands.hpp"

namespace steward::app {

std::vector<std::string> plugin_directories(const Settings& settings) {
  std::vector<std::string> dirs;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back((exe.parent_path().parent_path() / "lib" / "steward" / "plugins").lexically_normal().string());
  for (const auto& d : settings.plugin_dirs) dirs.push_back(d);
  return dirs;
}

Settings settings_for(const CommandLine& cmd) {
  return resolve_settings(cmd.config_file, current_environment(), cmd.options);
}

}  // namespace steward::app
