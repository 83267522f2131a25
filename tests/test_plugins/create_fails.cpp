// A tool whose constructor throws: the wrapper's create() returns NULL with the message,
// and the host refuses the plugin with "failed to start: <message>".
#include <stdexcept>
#include <steward/plugin.hpp>

namespace {

class CreateFails {
 public:
  CreateFails(const steward::Host&, std::string_view) {
    throw std::runtime_error("cannot open /nonexistent/credentials.json: No such file or directory");
  }
  steward_rc run(steward::Run&, std::string_view) { return STEWARD_OK; }
};

}  // namespace

STEWARD_TOOL_PLUGIN(CreateFails, "create_fails", "1.0.0", "Fails in create()", R"({"type":"object"})")
