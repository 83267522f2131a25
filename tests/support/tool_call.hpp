// Calls an in-tree tool plugin in-process, the way the run engine does: the plugin is
// loaded from the build's plugin directory by a real PluginRegistry with the given
// per-plugin config, args are checked against the tool's schema first, and output,
// result and error are collected. For unit tests of tool plugins (linked with core).
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/plugins/plugin_registry.hpp"
#include "core/util/json_schema.hpp"

namespace steward::test {

struct ToolCallResult {
  steward_rc rc = STEWARD_ERROR;
  std::string out, err;  // stdout / stderr chunks, concatenated
  std::string result;    // what set_result received ("" if nothing)
  std::string error;     // what set_error received, or the schema violation
  bool ok() const { return rc == STEWARD_OK; }
  nlohmann::json result_json() const { return nlohmann::json::parse(result); }
};

class RecordingCall : public CallContext {
 public:
  bool on_output(steward_stream stream, std::string_view chunk) override {
    (stream == STEWARD_STREAM_STDERR ? err : out) += chunk;
    return !cancel;
  }
  bool cancelled() const override { return cancel; }
  std::string out, err;
  bool cancel = false;
};

// A registry with every in-tree plugin; `config` is {"<plugin name>": {...}} as in the
// daemon's plugin_config file.
inline std::unique_ptr<PluginRegistry> in_tree_plugins(const nlohmann::json& config = nlohmann::json::object()) {
  auto registry = std::make_unique<PluginRegistry>();
  registry->set_config_source([config](const std::string& name) {
    return config.contains(name) ? config[name].dump() : std::string("{}");
  });
  registry->load_directory(STEWARD_PLUGIN_BUILD_DIR);
  return registry;
}

inline ToolCallResult call_tool(const PluginRegistry& registry, const std::string& tool_name, const nlohmann::json& args) {
  const Plugin* tool = registry.tool(tool_name);
  REQUIRE(tool != nullptr);
  ToolCallResult r;
  if (auto violation = validate_json(tool->schema(), args, "args")) {
    r.error = violation->text();
    return r;
  }
  RecordingCall call;
  r.rc = tool->run(call, args.dump());
  r.out = call.out;
  r.err = call.err;
  r.result = call.result;
  r.error = call.error;
  return r;
}

}  // namespace steward::test
