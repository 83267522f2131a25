// The `file` automation type: params are the args of the `filesystem` tool (same schema,
// same checks, shared from plugins/filesystem/fs_args.cpp) and become exactly one
// `filesystem` step. Paths are confined by the tool when it runs, not here: a plan never
// touches the system.
#include <nlohmann/json.hpp>
#include <steward/plugin.hpp>

#include "../filesystem/fs_args.hpp"

namespace {

using nlohmann::json;

class FileType {
 public:
  FileType(const steward::Host&, std::string_view) {}

  steward_rc plan(steward::Run& run, std::string_view params_text) {
    json params = json::parse(params_text);
    if (auto problem = fs_tool::check_args(params)) return run.fail(*problem);
    const std::string name = params["operation"].get<std::string>() + " " + params["path"].get<std::string>();
    json step = {{"tool", "filesystem"}, {"name", name}, {"args", params}, {"continue_on_error", false}};
    run.result(json::array({step}).dump());
    return STEWARD_OK;
  }
};

}  // namespace

STEWARD_AUTOMATION_TYPE_PLUGIN(FileType, "file", "1.0.0", "One file operation, run by the filesystem tool",
                               fs_tool::kArgsSchema)
