// The `steward` subcommands. Each takes the parsed command line and returns an exit code:
// 0 success, 1 failure at run time, 2 bad usage (message on stderr).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "app/settings.hpp"
#include "core/plugins/plugin_registry.hpp"

namespace steward::app {

struct CommandLine {
  std::vector<std::string> args;              // positional, after the subcommand name
  std::map<std::string, std::string> options; // by setting key or option name
  std::string config_file;
};

int run_serve(const CommandLine& cmd);
int run_keys(const CommandLine& cmd);
int run_plugins(const CommandLine& cmd);
int run_cron(const CommandLine& cmd);
int run_runs(const CommandLine& cmd);
// `agent pair|run`; also exit 3 when the hub rejects the device token (pair again).
int run_agent(const CommandLine& cmd);
// `version [--json]`: version, plugin ABI, and each plugin loaded or refused (with why).
int run_version(const CommandLine& cmd);
// `completion bash`: the bash completion script on stdout.
int run_completion(const CommandLine& cmd);

// <prefix>/lib/steward/plugins (next to the binary's ../lib), then the configured extras.
std::vector<std::string> plugin_directories(const Settings& settings);
Settings settings_for(const CommandLine& cmd);
// The template library: template_dir, or <prefix>/share/steward/templates beside the binary.
std::string template_directory(const Settings& settings);
// The dashboard's static files: dashboard_dir, or <prefix>/share/steward/dashboard beside the binary.
std::string dashboard_directory(const Settings& settings);

// Loads every plugin as `serve` does: each plugin's create() gets its object from the
// plugin_config file (or "{}"). Throws SettingsError when that file is unreadable or malformed.
void load_plugins(PluginRegistry& registry, const Settings& settings);

}  // namespace steward::app
