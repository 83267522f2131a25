// A tool that throws from run() after some output: the wrapper must turn the exception
// into STEWARD_ERROR with its message (or a fixed text for a non-std exception), and the
// host must go on serving.
#include <stdexcept>
#include <steward/plugin.hpp>
#include <string>

namespace {

const char* kSchema = R"json({
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "throw": {"type": "string", "enum": ["runtime_error", "int"], "default": "runtime_error",
              "description": "What to throw: a std::runtime_error, or an int (not a std::exception)"}
  }
})json";

class Thrower {
 public:
  Thrower(const steward::Host&, std::string_view) {}
  steward_rc run(steward::Run& run, std::string_view args) {
    run.output("about to throw\n");
    if (std::string(args).find("\"int\"") != std::string::npos) throw 42;
    throw std::runtime_error("thrower: the disk is on fire");
  }
};

}  // namespace

STEWARD_TOOL_PLUGIN(Thrower, "thrower", "1.0.0", "Throws a C++ exception from run()", kSchema)
