// The `script` automation type: params {command, env, cwd} become one `bash` step.
#include <nlohmann/json.hpp>
#include <steward/plugin.hpp>

namespace {

using nlohmann::json;

const char* kSchema = R"json({
  "type": "object",
  "required": ["command"],
  "additionalProperties": false,
  "properties": {
    "command": {"type": "string", "minLength": 1, "maxLength": 1048576,
                "description": "Shell command, run with bash -c (or sh -c, see shell)"},
    "env": {"type": "object", "additionalProperties": {"type": "string"}, "default": {},
            "description": "Extra environment variables"},
    "shell": {"type": "string", "enum": ["bash", "sh"], "default": "bash",
              "description": "bash (/bin/bash) or sh (/bin/sh, a POSIX shell: starts faster)"},
    "cwd": {"type": "string", "minLength": 1, "description": "Working directory (default: the daemon's)"}
  }
})json";

class ScriptType {
 public:
  ScriptType(const steward::Host&, std::string_view) {}

  steward_rc plan(steward::Run& run, std::string_view params_text) {
    json params = json::parse(params_text);
    json args = {{"command", params.at("command")}};
    if (params.contains("env")) args["env"] = params["env"];
    if (params.contains("cwd")) args["cwd"] = params["cwd"];
    if (params.contains("shell")) args["shell"] = params["shell"];
    run.result(json::array({{{"tool", "bash"}, {"args", args}}}).dump());
    return STEWARD_OK;
  }
};

}  // namespace

STEWARD_AUTOMATION_TYPE_PLUGIN(ScriptType, "script", "1.0.0", "A shell script, run by the bash tool", kSchema)
