// The `hello` tool: greets someone. A complete Steward plugin in one file, using the
// header-only C++ wrapper of the SDK (steward/plugin.hpp).
#include <nlohmann/json.hpp>
#include <steward/plugin.hpp>
#include <string>

namespace {

// The host validates args against this schema before calling run(); it does not fill in
// defaults, so run() applies "default" itself.
const char* kSchema = R"json({
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "name": {"type": "string", "minLength": 1, "maxLength": 200, "default": "world",
             "description": "Who to greet"}
  }
})json";

class Hello {
 public:
  // Called once at host start; `config_json` is this plugin's configuration object ("{}"
  // when none). Throwing here refuses the plugin with the exception's message.
  Hello(const steward::Host& host, std::string_view /*config_json*/) { host.info("ready to greet"); }

  // May be called from several threads at once: this class keeps no mutable state.
  // An exception thrown here fails the run with its message.
  steward_rc run(steward::Run& run, std::string_view args_json) {
    const auto args = nlohmann::json::parse(args_json);
    const std::string name = args.value("name", "world");
    if (!run.output("Hello, " + name + "!\n")) return STEWARD_CANCELLED;
    run.result(R"({"exit_code":0})");
    return STEWARD_OK;
  }
};

}  // namespace

STEWARD_TOOL_PLUGIN(Hello, "hello", "1.0.0", "Greets someone by name", kSchema)
