#include <algorithm>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/commands.hpp"

namespace steward::app {

std::vector<std::string> plugin_directories(const Settings& settings) {
  std::vector<std::string> dirs;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back((exe.parent_path().parent_path() / "lib" / "steward" / "plugins").lexically_normal().string());
  // A directory named twice (the default one given again with --plugin-dir) loads once,
  // instead of refusing every plugin in it the second time as a duplicate name.
  auto same = [](const std::string& a, const std::string& b) {
    std::error_code e;
    return a == b || std::filesystem::equivalent(a, b, e);
  };
  for (const auto& d : settings.plugin_dirs)
    if (std::none_of(dirs.begin(), dirs.end(), [&](const std::string& x) { return same(x, d); })) dirs.push_back(d);
  return dirs;
}

namespace {

// The plugin_config file, checked whole before any plugin loads: an object of objects.
nlohmann::json read_plugin_config(const std::string& file) {
  if (file.empty()) return nlohmann::json::object();
  std::ifstream in(file);
  if (!in) throw SettingsError("plugin_config file " + file + " cannot be read");
  nlohmann::json config = nlohmann::json::parse(in, nullptr, false);
  if (config.is_discarded() || !config.is_object())
    throw SettingsError("plugin_config file " + file + " must hold a JSON object keyed by plugin name");
  for (const auto& [name, value] : config.items())
    if (!value.is_object())
      throw SettingsError("plugin_config file " + file + ": the entry for '" + name + "' must be a JSON object");
  return config;
}

}  // namespace

void load_plugins(PluginRegistry& registry, const Settings& settings) {
  auto config = std::make_shared<nlohmann::json>(read_plugin_config(settings.plugin_config));
  registry.set_config_source([config](const std::string& name) {
    auto it = config->find(name);
    return it == config->end() ? std::string("{}") : it->dump();
  });
  for (const auto& dir : plugin_directories(settings)) registry.load_directory(dir);
}

namespace {
// <prefix>/share/steward/<name>, <prefix> being the binary's parent directory's parent: the
// build tree mirrors the install tree, so this holds in both.
std::string beside_binary(const std::string& name) {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return name;
  return (exe.parent_path().parent_path() / "share" / "steward" / name).lexically_normal().string();
}
}  // namespace

std::string template_directory(const Settings& settings) {
  if (!settings.template_dir.empty()) return settings.template_dir;
  return beside_binary("templates");
}

std::string dashboard_directory(const Settings& settings) {
  if (!settings.dashboard_dir.empty()) return settings.dashboard_dir;
  return beside_binary("dashboard");
}

Settings settings_for(const CommandLine& cmd) {
  return resolve_settings(cmd.config_file, current_environment(), cmd.options);
}

}  // namespace steward::app
