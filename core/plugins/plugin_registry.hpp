// Loads plugins (shared libraries exporting steward_plugin_entry) with Boost.DLL, checks
// each against the ABI rules and registers tools and automation types by name. A plugin
// that cannot be used is refused with a reason and listed; the host keeps running.
// Loading happens once, from one thread, at start; libraries are never unloaded.
#pragma once

#include <steward/plugin.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/plugins/call_context.hpp"

namespace steward {

// What `steward plugins list` and GET /api/plugins show, for loaded and refused plugins.
struct PluginInfo {
  std::string file;
  std::string name;  // empty when the plugin could not even be read
  std::string kind;  // "tool" | "automation_type" | ""
  std::string version;
  std::string description;
  std::string abi;  // "1.0"
  nlohmann::json args_schema;
  std::string status;  // "loaded" | "refused"
  std::string error;
};

nlohmann::json to_json(const PluginInfo& info);

// One loaded, created plugin instance. Thread-safe to call run()/plan() concurrently.
class Plugin {
 public:
  Plugin(const steward_plugin_v1* descriptor, void* instance, nlohmann::json schema, std::string file);
  const std::string& name() const { return name_; }
  steward_kind kind() const { return descriptor_->kind; }
  const nlohmann::json& schema() const { return schema_; }
  const std::string& file() const { return file_; }

  steward_rc run(CallContext& call, const std::string& args_json) const;
  steward_rc plan(CallContext& call, const std::string& params_json) const;
  void attach(void* instance) { instance_ = instance; }
  void destroy();

 private:
  const steward_plugin_v1* descriptor_;
  void* instance_;
  nlohmann::json schema_;
  std::string name_;
  std::string file_;
};

class PluginRegistry {
 public:
  PluginRegistry();
  ~PluginRegistry();  // destroys instances (after all runs); never unloads libraries
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  // Per-plugin configuration (a JSON object string) handed to create(); "{}" by default.
  void set_config_source(std::function<std::string(const std::string& name)> source);

  // Loads every *.so in `dir` (sorted by file name). A missing dir is logged and skipped.
  void load_directory(const std::filesystem::path& dir);
  // Loads one file; returns a copy of its info (also kept in plugins()).
  PluginInfo load_file(const std::filesystem::path& file);

  const Plugin* tool(const std::string& name) const;
  const Plugin* automation_type(const std::string& name) const;
  const std::vector<PluginInfo>& plugins() const { return infos_; }
  std::vector<std::string> tool_names() const;

 private:
  std::string refuse(PluginInfo& info, const std::string& reason);

  std::function<std::string(const std::string&)> config_source_;
  std::vector<PluginInfo> infos_;
  std::vector<std::unique_ptr<Plugin>> loaded_;
  std::map<std::string, Plugin*> tools_;
  std::map<std::string, Plugin*> types_;
};

// The host's callback table handed to every plugin.
const steward_host_api* host_api();

}  // namespace steward
