// The `filesystem` tool: read, write (atomically), append, list, stat, mkdir, move, delete
// and checksum files, confined to the allowed_roots of its plugin config.
#include <nlohmann/json.hpp>
#include <steward/plugin.hpp>

#include "fs_args.hpp"
#include "operations.hpp"
#include "sandbox.hpp"

namespace {

using nlohmann::json;

class FilesystemTool {
 public:
  // A bad config throws: the host refuses the plugin with the message.
  FilesystemTool(const steward::Host&, std::string_view config_json) : sandbox_(fs_tool::parse_config(config_json)) {}

  steward_rc run(steward::Run& run, std::string_view args_text) {
    json args = json::parse(args_text);
    if (auto problem = fs_tool::check_args(args)) return run.fail(*problem);
    const std::string op = args["operation"];
    try {
      auto outcome = fs_tool::run_operation(sandbox_, args, [&run] { return run.cancelled(); });
      run.result(outcome.result.dump());
      run.output(outcome.line + "\n");
      return STEWARD_OK;
    } catch (const fs_tool::Cancelled&) {
      return STEWARD_CANCELLED;
    } catch (const std::exception& e) {
      return run.fail(op + " " + e.what());
    }
  }

 private:
  fs_tool::Sandbox sandbox_;
};

}  // namespace

STEWARD_TOOL_PLUGIN(FilesystemTool, "filesystem", "1.0.0",
                    "Reads, writes (atomically), lists, moves and deletes files inside the configured allowed_roots",
                    fs_tool::kArgsSchema)
